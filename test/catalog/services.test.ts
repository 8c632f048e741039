import t from 'tap'
import { getService, GRANTABLE, SERVICES } from '../../src/catalog/services.js'
import { getSchema } from '../../src/catalog/schemas.js'
import { subjectValues } from '../../src/catalog/subjects.js'
import { dossier, PIN, SOCIAL_INSURANCE_CODE } from './fixtures/bodies.js'

t.test('the catalogue lists the six services and the two event sources', async (t) => {
  t.same(SERVICES.map((s) => s.id), [
    'citizen.lookup', 'land.parcel.lookup', 'tax.taxpayer.lookup', 'insurance.coverage.lookup', 'dossier.sync', 'dossier.progress',
    'dossier.events', 'citizen.events'
  ])
  t.same(SERVICES.filter((s) => s.kind === 'source').map((s) => s.id), ['dossier.events', 'citizen.events'])
  t.same(GRANTABLE.map((s) => s.id), SERVICES.filter((s) => s.kind !== 'source').map((s) => s.id), 'sources are never granted')
  t.same(SERVICES.filter((s) => s.kind === 'delivery').map((s) => s.id), ['dossier.sync', 'dossier.progress'])
  t.same(SERVICES.filter((s) => s.routing === 'province').map((s) => s.id), ['land.parcel.lookup'])
  t.equal(getService('citizen.lookup'), SERVICES[0])
  t.equal(getService('nope'), undefined)
  t.ok(Object.isFrozen(SERVICES) && SERVICES.every((s) => Object.isFrozen(s) && Object.isFrozen(s.subjectFields)))
})

t.test('each service names existing schemas and request fields', async (t) => {
  for (const service of SERVICES) {
    t.match(service.version, /^\d+\.\d+\.\d+$/)
    t.ok(service.title.length > 0 && service.description.length > 0)
    const request = getSchema(service.requestSchemaId)
    t.ok(request, `${service.id}: request schema ${service.requestSchemaId}`)
    t.ok(getSchema(service.responseSchemaId), `${service.id}: response schema ${service.responseSchemaId}`)
    for (const field of service.subjectFields) {
      let schema = request
      for (const key of field.split('.')) schema = schema?.properties?.[key]
      t.ok(schema, `${service.id}: subject field ${field} is in the request schema`)
    }
  }
})

t.test('subjectValues reads the personal identifiers of a request', async (t) => {
  const insurance = getService('insurance.coverage.lookup')
  const sync = getService('dossier.sync')
  const land = getService('land.parcel.lookup')
  if (insurance === undefined || sync === undefined || land === undefined) throw new Error('missing service')
  t.same(subjectValues(insurance, { socialInsuranceCode: SOCIAL_INSURANCE_CODE }), [SOCIAL_INSURANCE_CODE])
  t.same(subjectValues(sync, dossier()), [PIN])
  t.same(subjectValues(sync, { ...dossier(), applicant: { name: 'A', personalId: PIN, taxCode: '0100109106' } }), [PIN, '0100109106'])
  t.same(subjectValues(sync, { applicant: null }), [])
  t.same(subjectValues(sync, 'x'), [])
  t.same(subjectValues(land, { communeCode: '26734' }), [])
})
