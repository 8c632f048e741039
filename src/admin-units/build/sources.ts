/**
 * Readers for the vendored source files in `data/admin-units/sources/` (see data/admin-units/README.md).
 * Only the fields the table needs are typed.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export const SOURCE_FILES = {
  /** thanglequoc/vietnamese-provinces-database v3.0.2: units as of 2025-07-01 (NSO web service). */
  units2025: 'thanglequoc_full_34prov_3321wards_v3.0.2_2025-07.json',
  /** thanglequoc/vietnamese-provinces-database @cd580632: units after the change of 2026-04-30. */
  units2026: 'thanglequoc_full_34prov_3321wards_2026-07-25.json',
  /** dvhcvn/20250701 mapping/splits.json: old province/commune → new unit(s). */
  splits: 'dvhcvn20250701_splits_old_to_new.json',
  /** dvhcvn/20250701 mapping/merges.json: new unit ← old units, full or partial. */
  merges: 'dvhcvn20250701_merges_new_from_old.json',
  /** tranngocminhhieu/vietnamadminunits convert_legacy_2025_simple.csv: old province/district/commune. */
  legacy: 'vietnamadminunits_convert_legacy_2025_simple.csv'
} as const

export interface NsoWard {
  Code: string
  Name: string
  FullName: string
  ProvinceCode: string
  /** 3 Phường, 4 Xã, 5 Đặc khu */
  AdministrativeUnitId: number
}

export interface NsoProvince {
  Code: string
  Name: string
  FullName: string
  /** 1 Thành phố trực thuộc trung ương, 2 Tỉnh */
  AdministrativeUnitId: number
  Wards: NsoWard[]
}

interface Split { new_id: string, name: string }
export interface SplitsFile {
  data: Array<{ level1_id: string, name: string, splits: Split[], level3s: Array<{ level3_id: string, name: string, splits: Split[] }> }>
}

interface Merge { old_id: string, name: string, type: 'full' | 'partial' }
export interface MergesFile {
  data: Array<{ level1_id: string, name: string, merges: Merge[], level2s: Array<{ level2_id: string, name: string, merges: Merge[] }> }>
}

export interface LegacyRow {
  provinceCode: string
  districtCode: string
  districtType: string
  district: string
  /** null for a district without communes (island districts). */
  wardCode: string | null
  wardType: string
  ward: string
  newProvinceCode: string
  newWardCode: string
}

export interface Sources {
  units2025: NsoProvince[]
  units2026: NsoProvince[]
  splits: SplitsFile
  merges: MergesFile
  legacy: LegacyRow[]
}

function readJson<T> (dir: string, file: string): T {
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as T
}

/** Integer codes in the CSV (`6970.0`, `1`) → zero-padded strings. */
function pad (value: string, width: number): string {
  return String(Math.round(Number(value))).padStart(width, '0')
}

export function parseLegacyCsv (text: string): LegacyRow[] {
  const lines = text.trim().split(/\r?\n/)
  const header = (lines.shift() ?? '').split(',')
  const col = (name: string): number => {
    const i = header.indexOf(name)
    if (i < 0) throw new Error(`legacy CSV: column ${name} missing`)
    return i
  }
  const c = {
    provinceCode: col('provinceCode'),
    districtCode: col('districtCode'),
    districtType: col('districtType'),
    district: col('district'),
    wardCode: col('wardCode'),
    wardType: col('wardType'),
    ward: col('ward'),
    newProvinceCode: col('newProvinceCode'),
    newWardCode: col('newWardCode')
  }
  return lines.map((line, n) => {
    const f = line.split(',')
    if (f.length !== header.length) throw new Error(`legacy CSV line ${n + 2}: ${f.length} fields, expected ${header.length}`)
    return {
      provinceCode: pad(f[c.provinceCode], 2),
      districtCode: pad(f[c.districtCode], 3),
      districtType: f[c.districtType],
      district: f[c.district],
      wardCode: f[c.wardCode] === '' ? null : pad(f[c.wardCode], 5),
      wardType: f[c.wardType],
      ward: f[c.ward],
      newProvinceCode: f[c.newProvinceCode],
      newWardCode: f[c.newWardCode]
    }
  })
}

export function readSources (dir: string): Sources {
  return {
    units2025: readJson<NsoProvince[]>(dir, SOURCE_FILES.units2025),
    units2026: readJson<NsoProvince[]>(dir, SOURCE_FILES.units2026),
    splits: readJson<SplitsFile>(dir, SOURCE_FILES.splits),
    merges: readJson<MergesFile>(dir, SOURCE_FILES.merges),
    legacy: parseLegacyCsv(readFileSync(join(dir, SOURCE_FILES.legacy), 'utf8'))
  }
}
