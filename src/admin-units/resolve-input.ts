/**
 * Shape checks for resolver input (domain.md §2.5): province code 2 digits (01–99), commune code 5 digits,
 * legacy district code 3 digits, names non-empty text, date `YYYY-MM-DD`.
 */
import { isIsoDate } from './dates.js'
import type { ResolveInput } from './types.js'

export const PROVINCE_CODE = /^(0[1-9]|[1-9]\d)$/
export const COMMUNE_CODE = /^\d{5}$/
export const LEGACY_DISTRICT_CODE = /^\d{3}$/
export const MAX_NAME_LENGTH = 200
/** The most items one `resolve` call accepts. */
export const MAX_RESOLVE_ITEMS = 1000

const CODE_FIELDS: Array<[keyof ResolveInput, RegExp, string]> = [
  ['provinceCode', PROVINCE_CODE, '2 digits (01–99)'],
  ['districtCode', LEGACY_DISTRICT_CODE, '3 digits'],
  ['communeCode', COMMUNE_CODE, '5 digits']
]
const NAME_FIELDS: Array<keyof ResolveInput> = ['provinceName', 'districtName', 'communeName']
const FIELDS = new Set<string>(['provinceCode', 'districtCode', 'communeCode', 'provinceName', 'districtName',
  'communeName', 'asOf'])

/** Why the item cannot be read, or null when its shape is fine. */
export function inputProblem (item: unknown): string | null {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'each item must be an object'
  const record = item as Record<string, unknown>
  for (const key of Object.keys(record)) {
    if (!FIELDS.has(key)) return `unknown field "${key}"`
  }
  let any = false
  for (const [field, pattern, shape] of CODE_FIELDS) {
    const v = record[field]
    if (v === undefined || v === null) continue
    if (typeof v !== 'string' || !pattern.test(v)) return `${field} must be a string of ${shape}`
    any = true
  }
  for (const field of NAME_FIELDS) {
    const v = record[field]
    if (v === undefined || v === null) continue
    if (typeof v !== 'string' || v.trim() === '' || v.length > MAX_NAME_LENGTH) {
      return `${field} must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`
    }
    any = true
  }
  if (record.asOf !== undefined && record.asOf !== null && !isIsoDate(record.asOf)) return 'asOf must be YYYY-MM-DD'
  return any ? null : 'give at least one code or name'
}

/** A present (non-null, non-empty) field. */
export function given (value: string | null | undefined): value is string {
  return value !== undefined && value !== null && value !== ''
}
