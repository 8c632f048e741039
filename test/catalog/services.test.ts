import t from 'tap'
import type { SchemaObject } from 'ajv'
import { getService, GRANTABLE, SERVICES } from '../../src/catalog/services.js'
import { getSchema } from '../../src/catalog/schemas.js'
import { subjectValues } from '../../src/catalog/subjects.js'
import { dossier, PIN, SOCIAL_INSURANCE_CODE } from './fixtures/bodies.js'

t.test('the catalogue lists the services, the procedure filing and its steps, and the two event sources', async (t) => {
  t.same(SERVICES.map((s) => s.id), [
    'citizen.lookup', 'land.parcel.lookup', 'tax.taxpayer.lookup', 'insurance.coverage.lookup', 'dossier.sync', 'dossier.progress',
    'procedure.filing',
    'civil-status.birth.register', 'population.pin.issue', 'residence.permanent.register', 'insurance.card.issue',
    'civil-status.death.register', 'residence.permanent.deregister', 'insurance.funeral.allowance', 'insurance.survivor.benefit',
    'dossier.events', 'citizen.events'
  ])
  t.same(SERVICES.filter((s) => s.kind === 'source').map((s) => s.id), ['dossier.events', 'citizen.events'])
  t.same(SERVICES.filter((s) => s.kind === 'procedure').map((s) => s.id), ['procedure.filing'])
  t.same(SERVICES.filter((s) => s.kind === 'step').map((s) => s.id), [
    'civil-status.birth.register', 'population.pin.issue', 'residence.permanent.register', 'insurance.card.issue',
    'civil-status.death.register', 'residence.permanent.deregister', 'insurance.funeral.allowance', 'insurance.survivor.benefit'
  ])
  t.same(GRANTABLE.map((s) => s.id), SERVICES.filter((s) => s.kind !== 'source' && s.kind !== 'step').map((s) => s.id),
    'sources and procedure steps (the gateway\'s own calls) are never granted')
  t.same(SERVICES.filter((s) => s.kind === 'delivery').map((s) => s.id), ['dossier.sync', 'dossier.progress'])
  t.same(SERVICES.filter((s) => s.routing === 'province').map((s) => s.id), ['land.parcel.lookup'])
  t.equal(getService('citizen.lookup'), SERVICES[0])
  t.equal(getService('nope'), undefined)
  t.ok(Object.isFrozen(SERVICES) && SERVICES.every((s) => Object.isFrozen(s) && Object.isFrozen(s.subjectFields)))
})

/**
 * The forms a body may take: the schema itself, or, for a union, each branch of its `oneOf`/`anyOf` (a `$ref` by `$id`
 * followed), as the filing's request schema is one form per procedure group.
 */
function alternatives (schema: SchemaObject | undefined): SchemaObject[] {
  if (schema === undefined) return []
  const branches = (schema.oneOf ?? schema.anyOf) as SchemaObject[] | undefined
  // an object schema whose oneOf/anyOf only says which of its properties are required is one form
  if (branches === undefined || schema.type === 'object') return [schema]
  return branches.flatMap((branch) => alternatives(typeof branch.$ref === 'string' ? getSchema(branch.$ref.replace(/#$/, '')) : branch))
}

t.test('each service names existing schemas and request fields', async (t) => {
  for (const service of SERVICES) {
    t.match(service.version, /^\d+\.\d+\.\d+$/)
    t.ok(service.title.length > 0 && service.description.length > 0)
    const request = getSchema(service.requestSchemaId)
    t.ok(request, `${service.id}: request schema ${service.requestSchemaId}`)
    t.ok(getSchema(service.responseSchemaId), `${service.id}: response schema ${service.responseSchemaId}`)
    const forms = alternatives(request)
    t.ok(forms.length > 0 && forms.every((form) => form.type === 'object'), `${service.id}: the request is an object`)
    for (const field of service.subjectFields) {
      const found = forms.some((form) => {
        let schema: SchemaObject | undefined = form
        for (const key of field.split('.')) schema = schema?.properties?.[key]
        return schema !== undefined
      })
      t.ok(found, `${service.id}: subject field ${field} is in the request schema`)
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

t.test('the procedure filing: one form per group, each with the personal identifiers the catalogue names', async (t) => {
  const filing = getService('procedure.filing')
  if (filing === undefined) throw new Error('missing service')
  const forms = alternatives(getSchema(filing.requestSchemaId)).map((form) => String(form.$id))
  t.same(forms, ['procedure.birth.filing', 'procedure.death.filing'])
  t.same(subjectValues(filing, { mother: { personalId: PIN }, declarant: { personalId: '001099012345' } }), [PIN, '001099012345'])
  t.same(subjectValues(filing, { deceased: { personalId: PIN }, beneficiary: { personalId: '001099012345' } }), [PIN, '001099012345'])
  t.equal(getSchema(filing.responseSchemaId)?.$id, 'procedure.filed')
})
