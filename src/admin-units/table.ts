/**
 * The compact table file `data/admin-units/table.json` (built by `build-table.ts` from the vendored
 * sources) and its decoding into unit objects. Rows are positional arrays to keep the file small; the full
 * name is not stored but rebuilt from the type's label and the name (the build checks that this gives back
 * every source's full name).
 */
import { readFileSync } from 'node:fs'
import { fromRoot } from '../lib/repo-root.js'
import type { AdminUnit, CodeAlias, DistrictType, LegacyDistrict, Level, LineageKind, UnitType } from './types.js'

export const TABLE_FORMAT = 1

/** [code, type, name, parentCode, validFrom, validTo, districtCode] */
export type UnitRow = [string, UnitType, string, string | null, string | null, string | null, string | null]
/** [code, type, name, provinceCode, validTo] */
export type DistrictRow = [string, DistrictType, string, string, string]
/** [oldCode, newCode, kind] */
export type LinkRow = [string, string, LineageKind]

export interface TableFile {
  format: number
  /** One line per vendored source file (repository, commit, path, licence). */
  sources: string[]
  provinces: UnitRow[]
  communes: UnitRow[]
  districts: DistrictRow[]
  lineage: { province: LinkRow[], commune: LinkRow[] }
  /** Districts that had no commune of their own (island districts) → the new commune (đặc khu). */
  districtSuccessors: LinkRow[]
  /** [aliasCode, canonicalCode, note] */
  aliases: Array<[string, string, string]>
}

export const TYPE_LABELS: Record<UnitType | DistrictType, string> = {
  tinh: 'Tỉnh',
  'thanh-pho': 'Thành phố',
  phuong: 'Phường',
  xa: 'Xã',
  'dac-khu': 'Đặc khu',
  'thi-tran': 'Thị trấn',
  quan: 'Quận',
  huyen: 'Huyện',
  'thi-xa': 'Thị xã'
}

export function fullNameOf (type: UnitType | DistrictType, name: string): string {
  return TYPE_LABELS[type] + ' ' + name
}

export const DEFAULT_TABLE_PATH = 'data/admin-units/table.json'

/** Reads the table file (a path relative to the repository root, or absolute). */
export function readTableFile (path: string = DEFAULT_TABLE_PATH): TableFile {
  const file = path.startsWith('/') ? path : fromRoot(path)
  const table = JSON.parse(readFileSync(file, 'utf8')) as TableFile
  if (table.format !== TABLE_FORMAT) throw new Error(`${file}: table format ${table.format}, expected ${TABLE_FORMAT}`)
  return table
}

export function decodeUnit (row: UnitRow, level: Level): AdminUnit {
  const [code, type, name, parentCode, validFrom, validTo, districtCode] = row
  return { code, level, name, fullName: fullNameOf(type, name), type, parentCode, districtCode, validFrom, validTo }
}

export function decodeDistrict (row: DistrictRow): LegacyDistrict {
  const [code, type, name, provinceCode, validTo] = row
  return { code, name, fullName: fullNameOf(type, name), type, provinceCode, validFrom: null, validTo }
}

export function decodeAlias (row: [string, string, string]): CodeAlias {
  return { code: row[0], canonical: row[1], note: row[2] }
}

/** Writes the table with one row per line, so that a rebuild shows as a readable diff. */
export function serializeTable (table: TableFile): string {
  const rows = (list: unknown[]): string => list.length === 0
    ? '[]'
    : '[\n' + list.map(r => '    ' + JSON.stringify(r)).join(',\n') + '\n  ]'
  return '{\n' +
    `  "format": ${table.format},\n` +
    `  "sources": ${rows(table.sources)},\n` +
    `  "provinces": ${rows(table.provinces)},\n` +
    `  "communes": ${rows(table.communes)},\n` +
    `  "districts": ${rows(table.districts)},\n` +
    '  "lineage": {\n' +
    `  "province": ${rows(table.lineage.province)},\n` +
    `  "commune": ${rows(table.lineage.commune)}\n` +
    '  },\n' +
    `  "districtSuccessors": ${rows(table.districtSuccessors)},\n` +
    `  "aliases": ${rows(table.aliases)}\n` +
    '}\n'
}
