import { isPersonalId, taxCodeCheckDigit } from '../identifiers/index.js'

type Explain = (value: unknown) => string

const PIN_SHAPE = /^\d{12}$/
const TAX_SHAPE = /^(\d{10})(?:-(\d{3}))?$/
const CARD_SHAPE = /^[A-Z]{2}\d{13}$/

const PIN_HELP = 'must be a personal identification number: 12 digits, the first three being 0 and a province code'

function explainPersonalId (value: unknown): string {
  if (typeof value === 'string' && PIN_SHAPE.test(value)) {
    return 'is not a personal identification number: the first three digits must be 0 and one of the 63 ' +
      'province codes in force before 2025'
  }
  return PIN_HELP
}

function explainTaxCode (value: unknown): string {
  if (typeof value === 'string' && PIN_SHAPE.test(value) && !isPersonalId(value)) {
    return 'is not a tax code: a 12-digit tax code is a personal identification number, whose first three ' +
      'digits must be 0 and a province code'
  }
  const m = typeof value === 'string' ? TAX_SHAPE.exec(value) : null
  if (m !== null && m[2] === '000') return 'is not a tax code: a branch suffix must be 001 to 999'
  if (m !== null && taxCodeCheckDigit(m[1]) !== Number(m[1][9])) {
    return 'is not a tax code: the check digit (10th digit) does not match the first nine'
  }
  return 'must be a tax code: 10 digits, 10 digits and a branch suffix (NNNNNNNNNN-NNN), ' +
    'or a 12-digit personal identification number'
}

function explainHealthInsuranceCard (value: unknown): string {
  if (typeof value === 'string' && CARD_SHAPE.test(value)) {
    return 'is not a health insurance card number: the benefit level (3rd character) must be 1 to 5'
  }
  return 'must be a health insurance card number: 2 capital letters, a benefit level 1–5, a 2-digit province ' +
    'code and the 10-digit social insurance code'
}

const fixed = (message: string): Explain => () => message

/**
 * Human explanations of a failed format, by format name. Given the offending value (ajv's `verbose` errors carry
 * it) they say what is wrong, never repeating the value, which may be a personal identifier.
 */
export const FORMAT_MESSAGES: Readonly<Record<string, Explain>> = {
  'vn-personal-id': explainPersonalId,
  'vn-tax-code': explainTaxCode,
  'vn-social-insurance-code': fixed('must be a social insurance code: 10 digits'),
  'vn-health-insurance-card': explainHealthInsuranceCard,
  'vn-land-parcel-id': fixed('must be a land parcel id: a 12-character GeoHash (digits and lowercase letters ' +
    'other than a, i, l and o)'),
  'vn-dossier-code': fixed('must be a dossier code: agency id, receipt date YYMMDD and a 4-digit sequence, ' +
    'e.g. 000.00.01.H22-250715-0001'),
  'vn-commune-code': fixed('must be a commune code: 5 digits, 00001 to 99999'),
  'vn-province-code': fixed('must be a province code: 2 digits, 01 to 99'),
  'vn-procedure-code': fixed('must be a procedure code: d.dddddd, optionally followed by the publishing ' +
    'agency id and a 2-digit suffix, e.g. 1.000894 or 2.000815.000.00.00.H55.02'),
  'vn-agency-id': fixed('must be an agency electronic identifier, e.g. 000.00.00.H29'),
  'vn-past-date': fixed('must be a date YYYY-MM-DD not after today (Asia/Ho_Chi_Minh)'),
  date: fixed('must be a date YYYY-MM-DD'),
  'date-time': fixed('must be an RFC 3339 date-time with a time zone, e.g. 2025-07-15T08:30:00+07:00'),
  uri: fixed('must be an absolute URI'),
  email: fixed('must be an email address')
}

/** Why `value` fails `format`. */
export function explainFormat (format: string, value: unknown): string {
  const explain = FORMAT_MESSAGES[format]
  return explain === undefined ? `must match format "${format}"` : explain(value)
}
