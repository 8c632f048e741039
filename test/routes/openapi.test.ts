import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import SwaggerParser from '@apidevtools/swagger-parser'
import type { FastifyInstance } from 'fastify'
import { SERVICES } from '../../src/catalog/services.js'
import { PROBLEM_CODES } from '../../src/openapi/problem-codes.js'
import { fromRoot } from '../../src/lib/repo-root.js'
import { Conformance, type Document } from '../conformance.js'
import { build, tokenFor } from '../helper.js'

interface Op {
  operationId: string
  summary?: string
  security?: unknown[]
  parameters?: Array<{ in: string, name: string, required?: boolean }>
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> }
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>
}
interface Doc extends Document {
  openapi: string
  servers?: Array<{ url: string }>
  paths: Record<string, Record<string, Op>>
  components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> }
}

const operations = (doc: Doc): Array<[string, string, Op]> =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]): [string, string, Op] => [method.toUpperCase(), path, op]))

async function documentOf (app: FastifyInstance): Promise<Doc> {
  const res = await app.inject('/openapi.json')
  if (res.statusCode !== 200) throw new Error(`GET /openapi.json answered ${res.statusCode}`)
  return res.json()
}

t.test('the document is valid OpenAPI 3.1 for swagger-parser', async (t) => {
  const doc = await documentOf(await build(t))
  t.equal(doc.openapi, '3.1.0')
  // validate() dereferences the object it is given: a copy
  await t.resolves(SwaggerParser.validate(structuredClone(doc) as never))
})

t.test('Redocly\'s recommended ruleset finds no error and no warning', async (t) => {
  const doc = await documentOf(await build(t))
  const dir = await mkdtemp(join(tmpdir(), 'lienthong-openapi-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const file = join(dir, 'openapi.json')
  await writeFile(file, JSON.stringify(doc))
  // offline: no telemetry, no update check (CI reaches nothing but the npm registry)
  const { stdout } = await promisify(execFile)(fromRoot('node_modules/.bin/redocly'), ['lint', file, '--extends', 'recommended', '--format', 'json'],
    { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, timeout: 60_000 })
  const report = JSON.parse(stdout) as { totals: { errors: number, warnings: number }, problems: Array<{ ruleId: string, message: string }> }
  t.same(report.problems.map((p) => `${p.ruleId}: ${p.message}`), [])
  t.equal(report.totals.errors, 0)
})

t.test('every operation is complete: id, summary, security, problems, schemas', async (t) => {
  const doc = await documentOf(await build(t))
  t.same(doc.servers, [{ url: '/', description: 'The gateway serving this document' }])
  const ids = operations(doc).map(([, , op]) => op.operationId)
  t.equal(new Set(ids).size, ids.length, 'operationIds are unique')
  // the push endpoint of national systems is authenticated by the source's Standard Webhooks signature, not a token
  const PUBLIC = new Set(['/v1/auth/token', '/.well-known/jwks.json', '/.well-known/oauth-authorization-server', '/health/live', '/health/ready', '/metrics', '/openapi.json', '/v1/events/push/{sourceId}'])
  for (const [method, path, op] of operations(doc)) {
    const name = `${method} ${path}`
    t.type(op.summary, 'string', `${name} has a summary`)
    t.same(op.security, PUBLIC.has(path) ? [] : undefined, `${name}: ${PUBLIC.has(path) ? 'no token' : 'the bearer token of the document'}`)
    for (const [status, response] of Object.entries(op.responses)) {
      if (Number(status) < 400 || (path === '/health/ready' && status === '503')) continue
      if (path === '/v1/auth/token') {
        // the token endpoint answers RFC 6749 §5.2 errors (application/json with `error`), the problem fields beside
        t.same(Object.keys(response.content ?? {}), ['application/json'], `${name} ${status} is an OAuth 2.0 error`)
        continue
      }
      t.same(response.content, { 'application/problem+json': { schema: { $ref: '#/components/schemas/problem' } } }, `${name} ${status} is a problem`)
    }
    for (const status of ['400', '500', '503']) t.ok(op.responses[status], `${name} documents ${status}`)
    if (!PUBLIC.has(path)) t.ok(op.responses['401'] !== undefined && op.responses['403'] !== undefined, `${name} documents 401 and 403`)
    if (method === 'DELETE') t.ok(op.responses['204'] !== undefined && op.responses['200'] === undefined, `${name} answers 204`)
  }
  const codes = doc.components.schemas.problem.properties.code.enum ?? []
  t.same([...codes].sort(), PROBLEM_CODES.map((c) => c.code).sort(), 'the problem code enum is every code of src/errors.ts')
  t.ok(codes.includes('AMBIGUOUS_ADMIN_UNIT'))

  const token = doc.paths['/v1/auth/token'].post
  t.same(Object.keys(token.requestBody?.content ?? {}), ['application/x-www-form-urlencoded', 'application/json'])
  t.same(Object.keys(doc.paths['/v1/audit/export'].get.responses['200'].content ?? {}), ['application/x-ndjson'])
  t.same(Object.keys(doc.paths['/metrics'].get.responses['200'].content ?? {}), ['text/plain'])
  const dossier = doc.paths['/v1/dossiers'].post
  t.same(dossier.requestBody?.content['application/json'].schema, { $ref: '#/components/schemas/dossier.sync.request' })
  t.ok(dossier.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key'), 'Idempotency-Key')
  t.same(dossier.responses['202'].content?.['application/json'].schema, { $ref: '#/components/schemas/delivery.accepted' })
})

t.test('one lookup operation per service, with its own request and response schemas and headers', async (t) => {
  const doc = await documentOf(await build(t))
  t.notOk(doc.paths['/v1/lookups/{serviceId}'], 'no generic lookup path')
  for (const service of SERVICES.filter((s) => s.kind === 'lookup')) {
    const op = doc.paths[`/v1/lookups/${service.id}`]?.post
    if (op === undefined) {
      t.fail(`no operation for ${service.id}`)
      continue
    }
    t.same(op.requestBody?.content['application/json'].schema, { $ref: `#/components/schemas/${service.requestSchemaId}` })
    t.match(JSON.stringify(op.responses['200'].content), `#/components/schemas/${service.responseSchemaId}`)
    t.same(op.parameters?.filter((p) => p.in === 'header').map((p) => [p.name, p.required]),
      [['x-purpose', true], ['x-case-id', false], ['x-end-user', false]])
    t.equal(op.responses['422'] !== undefined, service.routing === 'province', `${service.id}: 422 only when routed by province`)
  }
})

t.test('the conformance check fails on what the document does not say', async (t) => {
  const doc = await documentOf(await build(t))
  const check = new Conformance(doc)
  const ok = { method: 'GET', path: '/health/live', status: 200, contentType: 'application/json; charset=utf-8', body: '{"status":"ok"}', authenticated: false }
  t.same(check.check(ok), [])
  t.match(check.check({ ...ok, status: 418 }), [/answered 418, which it does not document/])
  t.match(check.check({ ...ok, body: '{"status":"fine"}' }), [/does not match its schema/])
  t.match(check.check({ ...ok, contentType: 'text/html' }), [/is text\/html; the document says application\/json/])
  t.match(check.check({ ...ok, path: '/v1/services', body: '{"items":[],"nextCursor":null}' }), [/needs a bearer token but answered 200 without one/])
  t.match(check.check({ ...ok, path: '/v1/nowhere' }), [/not in the document, yet it answered 200/])
  t.match(check.check({ ...ok, method: 'DELETE', status: 405, body: '{}', contentType: 'application/problem+json' }), [/does not match its schema/])
})

t.test('build() fails a test whose gateway answers what its document does not say', async (t) => {
  const failures: string[] = []
  // a test object whose failures are collected, and a document that no longer documents 401 on GET /v1/services
  const probe = { teardown: (fn: () => unknown) => { t.teardown(fn) }, fail: (message: string) => { failures.push(message) } }
  const app = await build(probe, { conformance: { tamper: (d) => { delete d.paths['/v1/services'].get.responses['401'] } } })
  t.equal((await app.inject('/v1/services')).statusCode, 401)
  t.match(failures, [/GET \/v1\/services → 401: GET \/v1\/services answered 401, which it does not document/])
  const token = await tokenFor(app, ['system'])
  t.equal((await app.inject({ url: '/v1/services', headers: { authorization: `Bearer ${token}` } })).statusCode, 200)
  t.equal(failures.length, 1, 'a documented answer is not reported')
})
