import { LEGACY_PROVINCE_CODES } from './legacy-provinces.js'

/** What a 12-digit personal identification number (số định danh cá nhân) says about its holder. */
export interface PersonalIdInfo {
  provinceCode: string
  gender: 'male' | 'female'
  birthYear: number
}

const SHAPE = /^0(\d{2})(\d)(\d{2})\d{6}$/

/**
 * Parses a PIN: 3-digit birth-registration province (0 + legacy GSO code), a century/gender digit and the
 * last two digits of the birth year, then six random digits. There is no check digit (domain.md §2.1).
 * Returns undefined for anything else.
 */
export function parsePersonalId (value: string): PersonalIdInfo | undefined {
  const m = SHAPE.exec(value)
  if (m === null) return undefined
  const [, province, centuryGender, yy] = m
  if (!LEGACY_PROVINCE_CODES.has(province)) return undefined
  const d = Number(centuryGender)
  return {
    provinceCode: province,
    gender: d % 2 === 0 ? 'male' : 'female',
    birthYear: 1900 + 100 * Math.floor(d / 2) + Number(yy)
  }
}

export const isPersonalId = (value: string): boolean => parsePersonalId(value) !== undefined
