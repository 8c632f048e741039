import t from 'tap'
import { Ajv } from 'ajv'
import Fastify from 'fastify'
import { addIdentifierFormats, IDENTIFIER_FORMATS } from '../../src/catalog/formats.js'
import { loadSchemas } from '../../src/catalog/schemas.js'
import { DOSSIER_CODE, HEALTH_INSURANCE_CARD, PARCEL_ID, PIN, SOCIAL_INSURANCE_CODE, TAX_CODE } from './fixtures/bodies.js'

const CASES: Record<string, { valid: string[], invalid: string[] }> = {
  'vn-personal-id': { valid: [PIN, '001099012345', '096999999999'], invalid: ['003203001234', '07920300123', '179203001234', '07920300123a'] },
  'vn-tax-code': { valid: [TAX_CODE, '0100109106-001', PIN], invalid: ['0100109107', '0100109106-000', '003203001234', '01001091061'] },
  'vn-social-insurance-code': { valid: [SOCIAL_INSURANCE_CODE], invalid: ['012087881', '01208788111'] },
  'vn-health-insurance-card': { valid: [HEALTH_INSURANCE_CARD, 'TE1790000000123'], invalid: ['HS6010120878811', 'hs4010120878811', 'HS401012087881'] },
  'vn-land-parcel-id': { valid: [PARCEL_ID], invalid: [PARCEL_ID.slice(0, 11) + 'a', PARCEL_ID.slice(0, 11)] },
  'vn-dossier-code': { valid: [DOSSIER_CODE], invalid: ['000.00.01.H22-251315-0001', 'H22-250715-0001'] },
  'vn-commune-code': { valid: ['26734', '00004'], invalid: ['00000', '2673', '267345'] },
  'vn-province-code': { valid: ['01', '79', '96'], invalid: ['00', '1', '079'] },
  'vn-procedure-code': { valid: ['1.000894', '1.000494.000.00.00.H29', '2.000815.000.00.00.H55.02'], invalid: ['1.00089', 'H55.242'] },
  'vn-agency-id': { valid: ['000.00.00.H29', '000.00.01.H22'], invalid: ['H29', '000.00.00.h29'] },
  // today in Asia/Ho_Chi_Minh (UTC+7) is not yet to come; tomorrow is
  'vn-past-date': {
    valid: ['2025-07-15', '2024-02-29', '1900-01-01', vnDate(0)],
    invalid: [vnDate(1), '2999-01-01', '2025-02-29', '2025-13-01', '15/07/2025', '2025-7-15', '2025-07-15T00:00:00Z']
  }
}

/** The date `days` from today in Asia/Ho_Chi_Minh, YYYY-MM-DD. */
function vnDate (days: number): string {
  return new Date(Date.now() + 7 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10)
}

t.test('each identifier format accepts valid and rejects invalid values', async (t) => {
  const ajv = addIdentifierFormats(new Ajv({ strict: true }))
  t.same(Object.keys(CASES).sort(), Object.keys(IDENTIFIER_FORMATS).sort(), 'every format is covered')
  for (const [format, { valid, invalid }] of Object.entries(CASES)) {
    const validate = ajv.compile({ type: 'string', format })
    for (const value of valid) t.ok(validate(value), `${format} accepts ${value}`)
    for (const value of invalid) t.notOk(validate(value), `${format} rejects ${value}`)
  }
})

t.test('the standard formats we use are registered', async (t) => {
  const ajv = addIdentifierFormats(new Ajv({ strict: true }))
  for (const format of ['date', 'date-time', 'uri', 'email']) t.ok(ajv.formats[format], format)
  t.notOk(ajv.compile({ type: 'string', format: 'date' })('2025-02-30'))
  t.notOk(ajv.compile({ type: 'string', format: 'date-time' })('2025-07-15T08:30:00'), 'a date-time needs a time zone')
})

t.test('a bad personal id is reported by ajv at /personalId', async (t) => {
  const ajv = addIdentifierFormats(new Ajv({ strict: true, allErrors: true }))
  ajv.addSchema(loadSchemas())
  const validate = ajv.getSchema('citizen.lookup.request')
  t.ok(validate)
  t.notOk(validate?.({ personalId: '003203001234' }))
  t.same(validate?.errors?.map((e) => [e.instancePath, e.keyword]), [['/personalId', 'format']])
})

t.test('works as an ajv plugin in Fastify', async (t) => {
  const app = Fastify({ ajv: { plugins: [addIdentifierFormats], customOptions: { coerceTypes: false, removeAdditional: false } } })
  t.teardown(() => app.close())
  for (const schema of loadSchemas()) app.addSchema(schema)
  app.post('/citizen', { schema: { body: { $ref: 'citizen.lookup.request#' } } }, async () => ({ ok: true }))
  const bad = await app.inject({ method: 'POST', url: '/citizen', payload: { personalId: '003203001234' } })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().message, /\/personalId must match format "vn-personal-id"/)
  const good = await app.inject({ method: 'POST', url: '/citizen', payload: { personalId: PIN } })
  t.equal(good.statusCode, 200)
})
