import { LEGACY_PROVINCE_CODES } from '../../identifiers/index.js'
import { personName, type Gender } from './names.js'
import type { Prng } from './prng.js'

/** A generated person: a valid PIN consistent with the gender and the date of birth. */
export interface Person {
  personalId: string
  fullName: string
  gender: Gender
  dateOfBirth: string
  /** Legacy (63) code of the province where the birth was registered: PIN digits 2–3. */
  birthProvince: string
}

/** Ages in the seed data are computed against this year, so data does not change with the clock. */
export const REFERENCE_YEAR = 2025

const LEGACY = [...LEGACY_PROVINCE_CODES]
const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** A random calendar date of that year, as YYYY-MM-DD. */
export function dateIn (rng: Prng, year: number): string {
  const month = rng.int(1, 12)
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return `${year}-${pad(month)}-${pad(rng.int(1, days))}`
}

/** The century/gender digit of a PIN (domain.md §2.1): 1900s male 0 / female 1, 2000s 2 / 3, ... */
export const centuryGenderDigit = (year: number, gender: Gender): number =>
  2 * Math.floor((year - 1900) / 100) + (gender === 'female' ? 1 : 0)

export interface PersonOptions {
  minYear?: number
  maxYear?: number
}

/**
 * A new person whose PIN is not in `taken` (the PIN is added to it). Births are registered mostly in Hà Nội
 * and TP Hồ Chí Minh, the rest anywhere among the 63 legacy provinces.
 */
export function newPerson (rng: Prng, taken: Set<string>, opts: PersonOptions = {}): Person {
  const gender: Gender = rng.chance(0.5) ? 'male' : 'female'
  const year = rng.int(opts.minYear ?? 1935, opts.maxYear ?? 2024)
  const r = rng.next()
  const birthProvince = r < 0.3 ? '01' : r < 0.55 ? '79' : rng.pick(LEGACY)
  const prefix = `0${birthProvince}${centuryGenderDigit(year, gender)}${pad(year % 100)}`
  let personalId = prefix + rng.digits(6)
  while (taken.has(personalId)) personalId = prefix + rng.digits(6)
  taken.add(personalId)
  return { personalId, fullName: personName(rng, gender), gender, dateOfBirth: dateIn(rng, year), birthProvince }
}

/** Age in whole years at the reference year (birthday ignored: good enough for seed rules). */
export const ageOf = (p: Pick<Person, 'dateOfBirth'>): number => REFERENCE_YEAR - Number(p.dateOfBirth.slice(0, 4))
