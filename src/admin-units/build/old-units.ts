/**
 * Pre-reform units and the lineage old → new.
 *
 * - The 63 provinces and 10,047 communes, and where each went, come from dvhcvn `splits.json`; whether an
 *   old unit went wholly (`full`) or in part (`partial`) into a new one comes from `merges.json`.
 * - Legacy district codes, and which district each old commune was in, come from the vietnamadminunits CSV.
 * - Targets written with an alias code (Ba Chẽ 06970, Ia Mơ 23737) are rewritten to the canonical code.
 * - Five links that dvhcvn got wrong are replaced (`corrections.ts`).
 */
import { COMMUNE_CODE_ALIASES } from '../aliases.js'
import { PRE_REFORM_LAST_DAY } from '../dates.js'
import type { DistrictRow, LinkRow, UnitRow } from '../table.js'
import type { DistrictType, LineageKind, UnitType } from '../types.js'
import { LINEAGE_CORRECTIONS } from './corrections.js'
import type { LegacyRow, MergesFile, SplitsFile } from './sources.js'

const PREFIX_TYPES: Array<[string, UnitType | DistrictType]> = [
  ['Thành phố ', 'thanh-pho'], ['Tỉnh ', 'tinh'], ['Phường ', 'phuong'], ['Xã ', 'xa'], ['Thị trấn ', 'thi-tran'],
  ['Quận ', 'quan'], ['Huyện ', 'huyen'], ['Thị xã ', 'thi-xa']
]

/** Splits a full name such as `Thị trấn Ba Chẽ` into its type and name. */
export function splitFullName (fullName: string): { type: UnitType | DistrictType, name: string } {
  const s = fullName.normalize('NFC')
  const lower = s.toLowerCase()
  for (const [prefix, type] of PREFIX_TYPES) {
    // Case-insensitive: the CSV writes some district prefixes as "Thành Phố".
    if (lower.startsWith(prefix.toLowerCase())) return { type, name: s.slice(prefix.length) }
  }
  throw new Error(`no unit prefix in "${fullName}"`)
}

const canonical = new Map(COMMUNE_CODE_ALIASES.map(a => [a.code, a.canonical]))

interface Kinds { province: Map<string, LineageKind>, commune: Map<string, LineageKind>, district: LinkRow[] }

/** Link kinds from merges.json; its 3-digit old ids are island districts that had no commune. */
function kinds (merges: MergesFile): Kinds {
  const province = new Map<string, LineageKind>()
  const commune = new Map<string, LineageKind>()
  const district: LinkRow[] = []
  for (const p of merges.data) {
    for (const m of p.merges) province.set(p.level1_id + '|' + m.old_id, m.type)
    for (const c of p.level2s) {
      for (const m of c.merges) {
        if (m.old_id.length === 3) district.push([m.old_id, canonical.get(c.level2_id) ?? c.level2_id, m.type])
        else commune.set(c.level2_id + '|' + m.old_id, m.type)
      }
    }
  }
  return { province, commune, district }
}

function kindOf (map: Map<string, LineageKind>, newId: string, oldId: string): LineageKind {
  const kind = map.get(newId + '|' + oldId)
  if (kind === undefined) throw new Error(`merges.json has no link ${oldId} → ${newId} found in splits.json`)
  return kind
}

export interface OldUnits {
  provinces: UnitRow[]
  communes: UnitRow[]
  districts: DistrictRow[]
  lineage: { province: LinkRow[], commune: LinkRow[] }
  districtSuccessors: LinkRow[]
  /** Old communes of dvhcvn that the CSV (GSO list) does not have; they get no district. */
  withoutDistrict: string[]
}

export function buildOldUnits (splits: SplitsFile, merges: MergesFile, legacy: LegacyRow[]): OldUnits {
  const k = kinds(merges)
  const wardDistrict = new Map<string, LegacyRow>()
  const districts = new Map<string, DistrictRow>()
  const islands = new Map<string, string>()
  for (const r of legacy) {
    if (!districts.has(r.districtCode)) {
      const d = splitFullName(r.district)
      if (d.type !== districtTypeOf(r.districtType)) throw new Error(`district ${r.districtCode}: type ${r.districtType}`)
      districts.set(r.districtCode, [r.districtCode, d.type as DistrictType, d.name, r.provinceCode, PRE_REFORM_LAST_DAY])
    } else if (districts.get(r.districtCode)?.[3] !== r.provinceCode) {
      throw new Error(`district ${r.districtCode} in two provinces`)
    }
    if (r.wardCode === null) islands.set(r.districtCode, r.newWardCode)
    else wardDistrict.set(r.wardCode, r)
  }

  const districtSuccessors = k.district.sort((a, b) => a[0].localeCompare(b[0]))
  for (const [d, to] of districtSuccessors) {
    if (islands.get(d) !== to) throw new Error(`district ${d}: merges.json says ${to}, the CSV ${islands.get(d) ?? 'nothing'}`)
  }
  if (islands.size !== districtSuccessors.length) throw new Error('island districts differ between merges.json and the CSV')

  const provinces: UnitRow[] = []
  const communes: UnitRow[] = []
  const lineage = { province: [] as LinkRow[], commune: [] as LinkRow[] }
  const withoutDistrict: string[] = []
  for (const p of splits.data) {
    const pn = splitFullName(p.name)
    provinces.push([p.level1_id, pn.type as UnitType, pn.name, null, null, PRE_REFORM_LAST_DAY, null])
    for (const s of p.splits) lineage.province.push([p.level1_id, s.new_id, kindOf(k.province, s.new_id, p.level1_id)])
    for (const c of p.level3s) {
      const cn = splitFullName(c.name)
      // The type comes from dvhcvn's full name: the CSV's wardType is wrong for 3 rows ("Xã Phường 5").
      const row = wardDistrict.get(c.level3_id)
      if (row === undefined) withoutDistrict.push(c.level3_id)
      else if (row.provinceCode !== p.level1_id) throw new Error(`commune ${c.level3_id}: province differs between sources`)
      communes.push([c.level3_id, cn.type as UnitType, cn.name, p.level1_id, null, PRE_REFORM_LAST_DAY, row?.districtCode ?? null])
      const fix = LINEAGE_CORRECTIONS[c.level3_id]
      if (fix !== undefined) {
        if (c.splits.map(s => s.new_id).join() !== fix.dvhcvn) throw new Error(`correction of ${c.level3_id} is stale`)
        lineage.commune.push([c.level3_id, fix.to, 'full'])
        continue
      }
      for (const s of c.splits) {
        const kind = kindOf(k.commune, s.new_id, c.level3_id)
        lineage.commune.push([c.level3_id, canonical.get(s.new_id) ?? s.new_id, kind])
      }
    }
  }
  provinces.sort((a, b) => a[0].localeCompare(b[0]))
  communes.sort((a, b) => a[0].localeCompare(b[0]))
  const districtRows = [...districts.values()].sort((a, b) => a[0].localeCompare(b[0]))
  return { provinces, communes, districts: districtRows, lineage, districtSuccessors, withoutDistrict }
}

function districtTypeOf (label: string): DistrictType {
  const t = splitFullName(label + ' x').type
  if (t !== 'quan' && t !== 'huyen' && t !== 'thi-xa' && t !== 'thanh-pho') throw new Error(`district type ${label}`)
  return t
}
