import { isPersonalId } from './personal-id.js'

const WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3]
const TEN_DIGITS = /^(\d{10})(?:-(\d{3}))?$/

/**
 * The mod-11 check digit of a tax code's first nine digits, or undefined when the sum leaves no valid digit
 * (r = 10 cannot occur for issued codes; domain.md §2.2).
 */
export function taxCodeCheckDigit (firstNine: string): number | undefined {
  let sum = 0
  for (let i = 0; i < 9; i++) sum += Number(firstNine[i]) * WEIGHTS[i]
  const r = 10 - (sum % 11)
  return r >= 0 && r <= 9 ? r : undefined
}

/**
 * A tax code (mã số thuế): 10 digits whose last is the mod-11 check digit, optionally followed by `-NNN`
 * (001–999) for a dependent unit, or — from 1 July 2025 — a 12-digit PIN for individuals and households.
 */
export function isTaxCode (value: string): boolean {
  if (value.length === 12) return isPersonalId(value)
  const m = TEN_DIGITS.exec(value)
  if (m === null) return false
  const [, base, branch] = m
  if (branch === '000') return false
  return taxCodeCheckDigit(base) === Number(base[9])
}
