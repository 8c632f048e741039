import t from 'tap'
import { Ajv } from 'ajv'
import { addIdentifierFormats } from '../../src/catalog/formats.js'
import { explainErrors } from '../../src/catalog/explain-errors.js'
import { getSchema } from '../../src/catalog/schemas.js'
import { PARCEL_ID } from './fixtures/bodies.js'

// Fastify's own ajv is not verbose: errors carry neither the data nor the schema
const plain = addIdentifierFormats(new Ajv({ allErrors: true }))
const validateLand = plain.compile(getSchema('land.parcel.lookup.request') ?? {})

const explainLand = (data: unknown): ReturnType<typeof explainErrors> => {
  validateLand(data)
  return explainErrors(validateLand.errors ?? [])
}

t.test('without verbose errors, a oneOf still yields the closest branch', async (t) => {
  t.same(explainLand({ communeCode: '26734', mapSheet: '1' }), [{ path: '/parcelNumber', message: 'is required' }])
  t.same(explainLand({ parcelId: PARCEL_ID, communeCode: '26734', mapSheet: '1', parcelNumber: '2' }), [
    { path: '/parcelId', message: 'is not allowed' }
  ])
  t.match(explainLand({ parcelId: 'abc' }), [{ path: '/parcelId', message: /^must be a land parcel id/ }])
  t.same(explainLand(['x']), [{ path: '/', message: 'must be object' }], 'not an object: only the type error')
})

t.test('several matching branches and other keywords', async (t) => {
  const ajv = addIdentifierFormats(new Ajv({ allErrors: true, strict: false }))
  const validate = ajv.compile({
    type: 'object',
    properties: { a: { type: 'string' }, b: { type: 'string' }, c: { type: 'integer', const: 1 } },
    dependencies: { b: ['a'] },
    oneOf: [{ required: ['a'] }, { properties: { a: { type: 'string' } } }]
  })
  validate({ a: 'x', c: 2 })
  t.same(explainErrors(validate.errors ?? []), [
    { path: '/', message: 'must match exactly one of the allowed shapes, not several' },
    { path: '/c', message: 'must be 1' }
  ])
  validate({ b: 'x', c: 1 })
  t.same(explainErrors(validate.errors ?? []), [{ path: '/a', message: 'is required when b is present' }])
})
