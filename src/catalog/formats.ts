import type { Ajv } from 'ajv'
import formatsPlugin from 'ajv-formats'
import {
  AGENCY_ID, PROCEDURE_CODE, isDossierCode, isHealthInsuranceCardNo, isLandParcelId, isPersonalId,
  isSocialInsuranceCode, isTaxCode
} from '../identifiers/index.js'

const COMMUNE_CODE = /^(?!00000)\d{5}$/
const PROVINCE_CODE = /^(?:0[1-9]|[1-9]\d)$/

/** A real calendar date (YYYY-MM-DD) not after today in Asia/Ho_Chi_Minh (a birth or a death, not yet to come). */
function isPastDate (value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const ms = Date.parse(`${value}T00:00:00Z`)
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) return false
  return value <= new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10)
}

/**
 * The identifier formats our schemas use, each checked by the validators of `src/identifiers/` (domain.md §2).
 * Commune (00001–99999) and province (01–99) codes are only checked for shape here: whether a code exists on
 * a given date is for the dated administrative-unit tables.
 */
export const IDENTIFIER_FORMATS: Readonly<Record<string, (value: string) => boolean>> = {
  'vn-personal-id': isPersonalId,
  'vn-tax-code': isTaxCode,
  'vn-social-insurance-code': isSocialInsuranceCode,
  'vn-health-insurance-card': isHealthInsuranceCardNo,
  'vn-land-parcel-id': isLandParcelId,
  'vn-dossier-code': isDossierCode,
  'vn-commune-code': (value) => COMMUNE_CODE.test(value),
  'vn-province-code': (value) => PROVINCE_CODE.test(value),
  'vn-procedure-code': (value) => PROCEDURE_CODE.test(value),
  'vn-agency-id': (value) => AGENCY_ID.test(value),
  'vn-past-date': isPastDate
}

/** The ajv-formats formats our schemas use. */
const STANDARD_FORMATS = ['date', 'date-time', 'uri', 'email'] as const

// ajv-formats is CommonJS: under NodeNext its default import is typed as the module, whose `default` is the plugin
const addFormats = formatsPlugin.default

/**
 * Registers our identifier formats and the standard formats we use on an ajv instance. An ajv plugin, so it
 * also works as `Fastify({ ajv: { plugins: [addIdentifierFormats] } })`.
 */
export function addIdentifierFormats (ajv: Ajv): Ajv {
  addFormats(ajv, [...STANDARD_FORMATS])
  for (const [name, validate] of Object.entries(IDENTIFIER_FORMATS)) {
    ajv.addFormat(name, { type: 'string', validate })
  }
  return ajv
}
