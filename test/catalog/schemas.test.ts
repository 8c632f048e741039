import t from 'tap'
import { readdirSync } from 'node:fs'
import { Ajv, type SchemaObject } from 'ajv'
import { addIdentifierFormats } from '../../src/catalog/formats.js'
import { getSchema, loadSchemas } from '../../src/catalog/schemas.js'
import { fromRoot } from '../../src/lib/repo-root.js'
import { PROBLEM_CODES } from '../../src/openapi/problem-codes.js'

const IDS = [
  'calendar-year', 'citizen.lookup.request', 'citizen.lookup.response', 'civil-status.birth.register.request',
  'civil-status.birth.register.response', 'civil-status.death.register.request', 'civil-status.death.register.response',
  'delivery', 'delivery.accepted', 'dossier.progress.request', 'dossier.sync.request', 'event.admin-unit.changed',
  'event.citizen.death-recorded', 'event.citizen.residence-changed', 'event.dossier.status-changed',
  'event.dossier.submitted-online', 'event.envelope', 'event.feed.page', 'event.feed.request', 'event.push.message',
  'event.source', 'insurance.card.issue.request', 'insurance.card.issue.response', 'insurance.coverage.lookup.request',
  'insurance.coverage.lookup.response', 'insurance.funeral.allowance.request', 'insurance.funeral.allowance.response',
  'insurance.survivor.benefit.request', 'insurance.survivor.benefit.response', 'land.parcel.lookup.request',
  'land.parcel.lookup.response', 'lookup.envelope', 'population.pin.issue.request', 'population.pin.issue.response',
  'problem', 'procedure-group', 'procedure.birth.filing', 'procedure.death.filing', 'procedure.filed', 'procedure.filing',
  'residence.permanent.deregister.request', 'residence.permanent.deregister.response', 'residence.permanent.register.request',
  'residence.permanent.register.response', 'tax.taxpayer.lookup.request', 'tax.taxpayer.lookup.response'
]

t.test('every schema file has the $id of its name and compiles in strict draft-07 ajv', async (t) => {
  const files = readdirSync(fromRoot('schemas')).filter((f) => f.endsWith('.json')).sort()
  const schemas = loadSchemas()
  t.same(schemas.map((s) => `${String(s.$id)}.json`), files)
  t.same(schemas.map((s) => s.$id).sort(), IDS)
  const ajv = addIdentifierFormats(new Ajv({ strict: true, allErrors: true }))
  for (const schema of schemas) {
    t.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#', `${String(schema.$id)} is draft-07`)
    t.type(schema.title, 'string', `${String(schema.$id)} has a title`)
    t.type(ajv.compile(schema), 'function', `${String(schema.$id)} compiles`)
  }
})

t.test('schemas are read once and handed out as copies', async (t) => {
  const first = loadSchemas()
  first[0].title = 'changed'
  t.not(loadSchemas()[0].title, 'changed')
  const problem = getSchema('problem')
  t.equal(problem?.$id, 'problem')
  if (problem !== undefined) problem.required = []
  t.same(getSchema('problem')?.required, ['type', 'title', 'status', 'code'])
  t.equal(getSchema('nope'), undefined)
})

/** Every string, object and array in a request body is bounded and strict. */
function lint (schema: unknown, where: string, problems: string[]): void {
  if (typeof schema !== 'object' || schema === null) return
  const s = schema as SchemaObject
  if (s.type === 'string' && s.maxLength === undefined && s.enum === undefined) problems.push(`${where}: string without maxLength`)
  if (s.type === 'object' && s.additionalProperties !== false) problems.push(`${where}: object without additionalProperties: false`)
  if (s.type === 'array' && s.maxItems === undefined) problems.push(`${where}: array without maxItems`)
  for (const [key, value] of Object.entries(s)) {
    if (key === 'properties') for (const [name, sub] of Object.entries(value as object)) lint(sub, `${where}/properties/${name}`, problems)
    else if (key === 'items' || key === 'not') lint(value, `${where}/${key}`, problems)
    else if (Array.isArray(value) && ['oneOf', 'anyOf', 'allOf'].includes(key)) value.forEach((sub, i) => lint(sub, `${where}/${key}/${i}`, problems))
  }
}

t.test('request schemas are strict: bounded strings and arrays, no unknown properties', async (t) => {
  // a procedure filing (procedure.<group>.filing) is the body of POST /v1/procedures/{groupId}: a request too
  const requests = loadSchemas().filter((s) => /\.(request|filing)$/.test(String(s.$id)))
  t.ok(requests.some((s) => String(s.$id).endsWith('.filing')), 'the filings are linted')
  for (const schema of requests) {
    const problems: string[] = []
    lint(schema, String(schema.$id), problems)
    t.same(problems, [], String(schema.$id))
  }
})

t.test('the problem codes of the OpenAPI document are every contract code', async (t) => {
  const codes = PROBLEM_CODES.map((c) => c.code)
  t.match(getSchema('problem')?.properties.code, { type: 'string', pattern: '^[A-Z][A-Z_]+$' }, 'the enum is the document\'s, from src/errors.ts')
  for (const code of ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'PURPOSE_REQUIRED', 'SERVICE_NOT_FOUND', 'NOT_FOUND',
    'CONFLICT', 'PAYLOAD_TOO_LARGE', 'RATE_LIMITED', 'UPSTREAM_TIMEOUT', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_ERROR',
    'CIRCUIT_OPEN', 'INTERNAL', 'AMBIGUOUS_ADMIN_UNIT', 'UNSUPPORTED_MEDIA_TYPE', 'SERVICE_UNAVAILABLE', 'METHOD_NOT_ALLOWED']) {
    t.ok(codes.includes(code), code)
  }
})
