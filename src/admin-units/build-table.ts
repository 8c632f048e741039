/**
 * Builds `data/admin-units/table.json` from the vendored sources in `data/admin-units/sources/`.
 *
 *   npm run build && node dist/src/admin-units/build-table.js
 *
 * The build checks the sources against the known facts (63 → 34 provinces, 10,047 → 3,321 communes, the
 * change of 2026-04-30 touching exactly province 75 and 10 communes, every lineage link present in both
 * dvhcvn files) and fails loudly when a source changes shape. `test/admin-units/table.test.ts` checks that
 * the committed table equals a fresh build.
 */
import { writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { fromRoot } from '../lib/repo-root.js'
import { COMMUNE_CODE_ALIASES } from './aliases.js'
import { buildNewUnits, type NewUnits } from './build/new-units.js'
import { buildOldUnits, type OldUnits } from './build/old-units.js'
import { readSources, SOURCE_FILES, type Sources } from './build/sources.js'
import { DEFAULT_TABLE_PATH, serializeTable, TABLE_FORMAT, type TableFile } from './table.js'

export const SOURCES_DIR = 'data/admin-units/sources'

const SOURCE_NOTES = [
  `${SOURCE_FILES.units2025}: thanglequoc/vietnamese-provinces-database tag v3.0.2 json/full_json_generated_data_vn_units.json (MIT)`,
  `${SOURCE_FILES.units2026}: thanglequoc/vietnamese-provinces-database @cd580632 json/full_json_generated_data_vn_units_2026-07-25__20_49_07.json (MIT)`,
  `${SOURCE_FILES.splits}: dvhcvn/20250701 @dd94887c mapping/splits.json (MIT)`,
  `${SOURCE_FILES.merges}: dvhcvn/20250701 @dd94887c mapping/merges.json (MIT)`,
  `${SOURCE_FILES.legacy}: tranngocminhhieu/vietnamadminunits @780c2798 data/interim/convert_legacy_2025_simple.csv (MIT)`
]

function check (condition: boolean, message: string): void {
  if (!condition) throw new Error('admin-units build: ' + message)
}

/**
 * Lineage rules the data must obey: an old commune goes to communes of its old province's successor; a
 * new commune that kept an old code contains (part of) that old commune (Decision 19/2025: the merged
 * unit takes the code of the unit whose seat it keeps).
 */
function checkLineage (old: OldUnits, fresh: NewUnits): void {
  const provinceTo = new Map(old.lineage.province.map(([from, to]) => [from, to]))
  const oldProvince = new Map(old.communes.map(r => [r[0], r[3]]))
  const newProvince = new Map(fresh.communes.map(r => [r[0], r[3]]))
  for (const [from, to] of old.lineage.commune) {
    const expected = provinceTo.get(oldProvince.get(from) ?? '')
    check(newProvince.get(to) === expected, `old commune ${from} → ${to} in province ${newProvince.get(to) ?? '?'}, expected ${expected ?? '?'}`)
  }
  const links = new Set(old.lineage.commune.map(([from, to]) => from + '|' + to))
  for (const code of newProvince.keys()) {
    check(!oldProvince.has(code) || links.has(code + '|' + code), `new commune ${code} does not contain old ${code}`)
  }
}

export function buildTableFrom (sources: Sources): TableFile {
  const fresh = buildNewUnits(sources.units2025, sources.units2026)
  const old = buildOldUnits(sources.splits, sources.merges, sources.legacy)

  const newProvinceCodes = new Set(fresh.provinces.map(r => r[0]))
  const newCommuneCodes = new Set(fresh.communes.map(r => r[0]))
  check(newProvinceCodes.size === 34, `${newProvinceCodes.size} new provinces, expected 34`)
  check(newCommuneCodes.size === 3321, `${newCommuneCodes.size} new communes, expected 3,321`)
  check(old.provinces.length === 63, `${old.provinces.length} old provinces, expected 63`)
  check(old.communes.length === 10047, `${old.communes.length} old communes, expected 10,047`)
  check(fresh.changedProvinces.join() === '75', `changed provinces ${fresh.changedProvinces.join()}, expected 75`)
  check(fresh.changedCommunes.length === 10, `${fresh.changedCommunes.length} changed communes, expected 10`)

  const mergeLinks = sources.merges.data.reduce((n, p) => n + p.level2s.reduce((m, c) => m + c.merges.length, 0), 0)
  check(mergeLinks === old.lineage.commune.length + old.districtSuccessors.length, `merges.json has ${mergeLinks} links, splits.json ${old.lineage.commune.length}`)
  for (const [from, to] of old.lineage.province) check(newProvinceCodes.has(to), `province ${from} → unknown ${to}`)
  for (const [from, to] of old.lineage.commune) check(newCommuneCodes.has(to), `commune ${from} → unknown ${to}`)
  for (const [d, to] of old.districtSuccessors) check(newCommuneCodes.has(to), `district ${d} → unknown ${to}`)
  const targets = new Set([...old.lineage.commune, ...old.districtSuccessors].map(l => l[1]))
  for (const code of newCommuneCodes) check(targets.has(code), `new commune ${code} has no predecessor`)
  checkLineage(old, fresh)
  for (const a of COMMUNE_CODE_ALIASES) {
    check(newCommuneCodes.has(a.canonical) && !newCommuneCodes.has(a.code), `alias ${a.code} → ${a.canonical}`)
  }

  return {
    format: TABLE_FORMAT,
    sources: SOURCE_NOTES,
    provinces: [...old.provinces, ...fresh.provinces],
    communes: [...old.communes, ...fresh.communes],
    districts: old.districts,
    lineage: old.lineage,
    districtSuccessors: old.districtSuccessors,
    aliases: COMMUNE_CODE_ALIASES.map(a => [a.code, a.canonical, a.note])
  }
}

export function buildTable (dir: string = fromRoot(SOURCES_DIR)): TableFile {
  return buildTableFrom(readSources(dir))
}

function main (): void {
  const table = buildTable()
  const text = serializeTable(table)
  writeFileSync(fromRoot(DEFAULT_TABLE_PATH), text)
  const summary = {
    file: DEFAULT_TABLE_PATH,
    bytes: Buffer.byteLength(text),
    provinces: table.provinces.length,
    communes: table.communes.length,
    districts: table.districts.length,
    links: table.lineage.province.length + table.lineage.commune.length
  }
  console.log(JSON.stringify(summary))
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main()
