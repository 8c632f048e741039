import t from 'tap'
import { createValidator } from '../../src/catalog/validator.js'
import { dossier, HEALTH_INSURANCE_CARD, PARCEL_ID, PIN, progress, SOCIAL_INSURANCE_CODE, TAX_CODE } from './fixtures/bodies.js'

const validator = createValidator()
const errorsOf = (schemaId: string, data: unknown): Array<{ path: string, message: string }> => {
  const result = validator.validate(schemaId, data)
  return result.ok ? [] : result.errors
}
const pathsOf = (schemaId: string, data: unknown): string[] => errorsOf(schemaId, data).map((e) => e.path)

t.test('an unknown schema id is a programming error', async (t) => {
  t.throws(() => validator.validate('nope.request', {}), /No schema with \$id "nope.request"/)
})

t.test('citizen.lookup.request', async (t) => {
  const id = 'citizen.lookup.request'
  t.same(validator.validate(id, { personalId: PIN }), { ok: true })
  t.same(validator.validate(id, { personalId: '001099012345' }), { ok: true }, 'any century/gender digit is valid')
  t.same(errorsOf(id, { personalId: '07920300123' }), [{ path: '/personalId', message: 'must be a personal identification number: 12 digits, the first three being 0 and a province code' }], 'too short')
  t.same(errorsOf(id, { personalId: '0792030012345' }), [{ path: '/personalId', message: 'must NOT have more than 12 characters' }], 'too long: one error, not three')
  t.match(errorsOf(id, { personalId: '003203001234' }), [{ path: '/personalId', message: /first three digits must be 0 and one of the 63 province codes/ }], '003 is not a legacy province')
  t.same(errorsOf(id, { personalId: 79203001234 }), [{ path: '/personalId', message: 'must be string' }], 'wrong type')
  t.same(errorsOf(id, {}), [{ path: '/personalId', message: 'is required' }])
  t.same(errorsOf(id, { personalId: PIN, purpose: 'x' }), [{ path: '/purpose', message: 'is not allowed' }], 'unknown field named')
  t.same(errorsOf(id, [PIN]), [{ path: '/', message: 'must be object' }])
  t.same(errorsOf(id, null), [{ path: '/', message: 'must be object' }])
})

t.test('errors never repeat the identifier', async (t) => {
  const bad = '003203001234'
  for (const e of errorsOf('citizen.lookup.request', { personalId: bad })) t.notMatch(e.message, bad)
  for (const e of errorsOf('tax.taxpayer.lookup.request', { taxCode: '0100109107' })) t.notMatch(e.message, '0100109107')
})

t.test('land.parcel.lookup.request', async (t) => {
  const id = 'land.parcel.lookup.request'
  const address = { communeCode: '26734', mapSheet: '12', parcelNumber: '345' }
  t.same(validator.validate(id, { parcelId: PARCEL_ID }), { ok: true })
  t.same(validator.validate(id, { parcelId: PARCEL_ID, provinceCode: '79' }), { ok: true })
  t.same(validator.validate(id, address), { ok: true })
  t.same(validator.validate(id, { ...address, asOf: '2024-06-30', provinceCode: '79' }), { ok: true })
  t.same(pathsOf(id, { parcelId: PARCEL_ID.slice(0, 11) + 'a' }), ['/parcelId'], 'geohash with a')
  t.match(errorsOf(id, { parcelId: 'abc' }), [{ path: '/parcelId', message: /12-character GeoHash/ }])
  t.same(errorsOf(id, {}), [{ path: '/', message: 'must match exactly one of: {parcelId} or {communeCode, mapSheet, parcelNumber}' }])
  t.same(errorsOf(id, { provinceCode: '79' }), [{ path: '/', message: 'must match exactly one of: {parcelId} or {communeCode, mapSheet, parcelNumber}' }])
  t.same(errorsOf(id, { parcelId: PARCEL_ID, ...address }), [{ path: '/', message: 'must match exactly one of: {parcelId} or {communeCode, mapSheet, parcelNumber}, not both' }])
  t.same(errorsOf(id, { communeCode: '26734', mapSheet: '12' }), [{ path: '/parcelNumber', message: 'is required' }], 'the address branch is reported')
  t.same(errorsOf(id, { parcelId: PARCEL_ID, asOf: '2024-06-30' }), [{ path: '/asOf', message: 'is not allowed together with parcelId' }], 'the parcelId branch is reported')
  t.same(pathsOf(id, { parcelId: 'x', mapSheet: '12' }).sort(), ['/mapSheet', '/parcelId'], 'a bad value and a field of the other shape')
  t.same(pathsOf(id, { ...address, communeCode: '2673' }), ['/communeCode'])
  t.same(pathsOf(id, { ...address, communeCode: 26734 }), ['/communeCode'])
  t.same(pathsOf(id, { ...address, mapSheet: '1234567' }), ['/mapSheet'])
  t.same(pathsOf(id, { ...address, parcelNumber: '12a' }), ['/parcelNumber'])
  t.same(errorsOf(id, { ...address, asOf: '2024-02-30' }), [{ path: '/asOf', message: 'must be a date YYYY-MM-DD' }])
  t.same(pathsOf(id, { ...address, asOf: '30/06/2024' }), ['/asOf'])
  t.same(pathsOf(id, { ...address, provinceCode: '00' }), ['/provinceCode'])
  t.same(pathsOf(id, { ...address, ward: '1' }), ['/ward'])
})

t.test('tax.taxpayer.lookup.request', async (t) => {
  const id = 'tax.taxpayer.lookup.request'
  for (const taxCode of [TAX_CODE, '0101243150', '0300588569', '0100109106-001', PIN]) {
    t.same(validator.validate(id, { taxCode }), { ok: true }, taxCode)
  }
  t.match(errorsOf(id, { taxCode: '0100109107' }), [{ path: '/taxCode', message: /check digit/ }], 'wrong check digit')
  t.match(errorsOf(id, { taxCode: '0100109106-000' }), [{ path: '/taxCode', message: /branch suffix must be 001 to 999/ }], 'branch -000')
  t.match(errorsOf(id, { taxCode: '003203001234' }), [{ path: '/taxCode', message: /personal identification number/ }], 'a 12-digit code must be a PIN')
  t.match(errorsOf(id, { taxCode: '01001091' }), [{ path: '/taxCode', message: /^must be a tax code/ }])
  t.same(pathsOf(id, { taxCode: 100109106 }), ['/taxCode'])
  t.same(pathsOf(id, { taxCode: TAX_CODE, name: 'x' }), ['/name'])
})

t.test('insurance.coverage.lookup.request', async (t) => {
  const id = 'insurance.coverage.lookup.request'
  const oneOf = 'must match exactly one of: {socialInsuranceCode} or {healthInsuranceCardNo} or {personalId}'
  t.same(validator.validate(id, { socialInsuranceCode: SOCIAL_INSURANCE_CODE }), { ok: true })
  t.same(validator.validate(id, { healthInsuranceCardNo: HEALTH_INSURANCE_CARD }), { ok: true })
  t.same(validator.validate(id, { personalId: PIN }), { ok: true })
  t.same(pathsOf(id, { socialInsuranceCode: '012087881' }), ['/socialInsuranceCode'], 'BHXH code of 9 digits')
  t.match(errorsOf(id, { healthInsuranceCardNo: 'HS6010120878811' }), [{ path: '/healthInsuranceCardNo', message: /benefit level .* must be 1 to 5/ }], 'level 6')
  t.same(pathsOf(id, { healthInsuranceCardNo: 'HS40101208788' }), ['/healthInsuranceCardNo'])
  t.same(pathsOf(id, { personalId: '003203001234' }), ['/personalId'])
  t.same(errorsOf(id, {}), [{ path: '/', message: oneOf }])
  t.same(errorsOf(id, { socialInsuranceCode: SOCIAL_INSURANCE_CODE, personalId: PIN }), [{ path: '/', message: `${oneOf}, not several` }])
  t.same(pathsOf(id, { personalId: PIN, fullName: 'x' }), ['/fullName'])
})

t.test('dossier.sync.request', async (t) => {
  const id = 'dossier.sync.request'
  const with_ = (patch: Record<string, unknown>): Record<string, unknown> => ({ ...dossier(), ...patch })
  t.same(validator.validate(id, dossier()), { ok: true })
  t.same(validator.validate(id, with_({ documents: [], fees: [], resultAt: '2025-07-20T10:00:00Z', completedAt: '2025-07-19T16:45:12.5+07:00', note: 'ok' })), { ok: true })
  t.same(validator.validate(id, with_({ applicant: { name: 'Công ty TNHH ABC', taxCode: '0100109106-001' } })), { ok: true })
  t.same(validator.validate(id, with_({ procedureCode: '2.000815.000.00.00.H55.02' })), { ok: true })
  t.same(errorsOf(id, with_({ status: 11 })), [{ path: '/status', message: 'must be <= 10' }], 'status 11')
  t.same(pathsOf(id, with_({ status: 0 })), ['/status'])
  t.same(errorsOf(id, with_({ status: '2' })), [{ path: '/status', message: 'must be integer' }], 'no type coercion')
  t.same(pathsOf(id, with_({ status: 2.5 })), ['/status'])
  t.match(errorsOf(id, with_({ code: 'H22-250715-0001' })), [{ path: '/code', message: /^must be a dossier code/ }], 'bad code format')
  t.same(pathsOf(id, with_({ code: '000.00.01.H22-251315-0001' })), ['/code'], 'month 13')
  t.same(pathsOf(id, with_({ procedureCode: '1.00089' })), ['/procedureCode'])
  t.same(pathsOf(id, with_({ agencyCode: 'H22' })), ['/agencyCode'])
  t.same(pathsOf(id, with_({ fieldCode: 'G15 HT' })), ['/fieldCode'])
  t.same(pathsOf(id, with_({ receivedAt: '2025-07-15 08:30' })), ['/receivedAt'], 'bad date')
  t.same(errorsOf(id, with_({ dueAt: '2025-07-20T17:00:00' })), [{ path: '/dueAt', message: 'must be an RFC 3339 date-time with a time zone, e.g. 2025-07-15T08:30:00+07:00' }], 'no time zone')
  t.same(pathsOf(id, with_({ resultAt: '2025-02-30T10:00:00Z' })), ['/resultAt'], 'no such day')
  t.same(pathsOf(id, with_({ completedAt: 1752566400000 })), ['/completedAt'])
  t.same(pathsOf(id, with_({ channel: 4 })), ['/channel'])
  t.same(pathsOf(id, with_({ applicant: { personalId: PIN } })), ['/applicant/name'])
  t.same(pathsOf(id, with_({ applicant: { name: 'A', personalId: '003203001234', taxCode: '0100109107', phone: '09-123', email: 'not-an-email', extra: 1 } })),
    ['/applicant/extra', '/applicant/personalId', '/applicant/taxCode', '/applicant/phone', '/applicant/email'])
  t.same(pathsOf(id, with_({ applicant: { name: 'x'.repeat(301) } })), ['/applicant/name'])
  t.same(errorsOf(id, with_({ documents: [{ name: 'Tờ khai', copyType: 3 }] })), [{ path: '/documents/0/copyType', message: 'must be one of: 0, 1, 2' }])
  t.same(pathsOf(id, with_({ documents: [{ code: 'TP01' }] })), ['/documents/0/name'])
  t.same(pathsOf(id, with_({ documents: [{ name: 'a', fileId: 'has space' }] })), ['/documents/0/fileId'])
  t.same(pathsOf(id, with_({ documents: Array.from({ length: 101 }, () => ({ name: 'a' })) })), ['/documents'])
  t.same(pathsOf(id, with_({ documents: {} })), ['/documents'])
  t.same(pathsOf(id, with_({ fees: [{ name: 'Lệ phí', amount: 1.5 }, { name: 'Phí', amount: -1 }, { name: 'Phí', amount: '100' }] })),
    ['/fees/0/amount', '/fees/1/amount', '/fees/2/amount'])
  t.same(pathsOf(id, with_({ fees: [{ name: 'Lệ phí', amount: 100, currency: 'VND' }] })), ['/fees/0/currency'])
  t.same(pathsOf(id, with_({ note: 'x'.repeat(4001) })), ['/note'])
  const missing = dossier()
  delete missing.code
  delete missing.documents
  t.same(errorsOf(id, missing), [{ path: '/code', message: 'is required' }, { path: '/documents', message: 'is required' }])
  t.same(pathsOf(id, with_({ 'a/b': 1 })), ['/a~1b'], 'unknown field names are escaped JSON pointer tokens')
})

t.test('dossier.progress.request', async (t) => {
  const id = 'dossier.progress.request'
  const with_ = (patch: Record<string, unknown>): Record<string, unknown> => ({ ...progress(), ...patch })
  t.same(validator.validate(id, progress()), { ok: true })
  t.same(validator.validate(id, with_({ note: 'Đã thẩm định', startedAt: '2025-07-15T08:30:00+07:00', dueAt: '2025-07-17T17:00:00+07:00' })), { ok: true })
  t.same(pathsOf(id, with_({ status: 11 })), ['/status'])
  t.same(pathsOf(id, with_({ at: 'yesterday' })), ['/at'])
  t.same(pathsOf(id, with_({ handler: '' })), ['/handler'])
  t.same(pathsOf(id, with_({ dossierCode: 'x' })), ['/dossierCode'])
  t.same(errorsOf(id, {}), ['handler', 'role', 'at', 'department', 'status'].map((p) => ({ path: `/${p}`, message: 'is required' })))
})
