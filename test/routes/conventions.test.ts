import t from 'tap'
import { build, tokenFor } from '../helper.js'

/** The rules of docs/api-conventions.md that hold on every route (issue 15 items 5 and 6). */

const ALL = ['citizen.lookup', 'land.parcel.lookup', 'tax.taxpayer.lookup', 'insurance.coverage.lookup', 'dossier.sync', 'dossier.progress']

t.test('a delivery service asked as a lookup says so, not that it does not exist', async (t) => {
  const app = await build(t)
  const token = await tokenFor(app, ['system'], ALL)
  const res = await app.inject({ method: 'POST', url: '/v1/lookups/dossier.sync', headers: { authorization: `Bearer ${token}`, 'x-purpose': '1.000894' }, payload: {} })
  t.equal(res.statusCode, 404)
  t.equal(res.json().code, 'SERVICE_NOT_FOUND')
  t.match(res.json().detail, /"dossier\.sync" is a delivery service, not a lookup: deliveries are sent to \/v1\/dossiers/)
  t.notMatch(res.json().detail, /does not exist/)
})

t.test('an unsupported media type is 415 everywhere, text/plain included; the token endpoint takes a form', async (t) => {
  const app = await build(t)
  const token = await tokenFor(app, ['system'], ALL)
  const headers = { authorization: `Bearer ${token}`, 'x-purpose': '1.000894' }
  for (const [type, payload] of [['text/plain', '{"personalId":"079203001234"}'], ['application/xml', '<personalId/>'], ['application/x-www-form-urlencoded', 'personalId=079203001234']]) {
    const res = await app.inject({ method: 'POST', url: '/v1/lookups/citizen.lookup', headers: { ...headers, 'content-type': type }, payload })
    t.equal(res.statusCode, 415, type)
    t.equal(res.json().code, 'UNSUPPORTED_MEDIA_TYPE', type)
    t.match(res.json().detail, /send application\/json/)
  }
  const admin = await tokenFor(app, ['admin'])
  const plain = await app.inject({ method: 'POST', url: '/v1/admin/clients', headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/plain' }, payload: 'hello' })
  t.equal(plain.statusCode, 415)
  const form = await app.inject({ method: 'POST', url: '/v1/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=client_credentials&client_id=test-admin&client_secret=test-admin-secret-0123456789' })
  t.equal(form.statusCode, 200, 'the token endpoint consumes forms')
  t.equal((await app.inject({ method: 'POST', url: '/v1/auth/token', headers: { 'content-type': 'text/plain' }, payload: 'x' })).statusCode, 415)
})

t.test('a known path asked with another method is 405 with Allow; an unknown path is 404', async (t) => {
  const app = await build(t)
  const get = await app.inject({ method: 'GET', url: '/v1/lookups/citizen.lookup' })
  t.equal(get.statusCode, 405)
  t.equal(get.headers.allow, 'POST')
  t.match(get.json(), { status: 405, code: 'METHOD_NOT_ALLOWED' })
  t.match(get.headers['content-type'], /application\/problem\+json/)
  const put = await app.inject({ method: 'PUT', url: '/v1/services' })
  t.equal(put.statusCode, 405)
  t.equal(put.headers.allow, 'GET, HEAD')
  const client = await app.inject({ method: 'POST', url: '/v1/admin/clients/abc' })
  t.equal(client.headers.allow, 'DELETE, GET, HEAD, PATCH, PUT')
  t.equal((await app.inject({ method: 'GET', url: '/v1/nothing/here' })).statusCode, 404)
})

t.test('unknown query parameters are 400 on every route, named under /query', async (t) => {
  const app = await build(t)
  const auth = { authorization: `Bearer ${await tokenFor(app, ['admin', 'auditor', 'system'], ALL)}` }
  for (const url of ['/health/live?verbose=1', '/v1/services/citizen.lookup?expand=all', '/v1/admin/config?x=1', '/v1/audit/verify?limit=2', '/v1/admin-units/79?q=x']) {
    const res = await app.inject({ url, headers: auth })
    t.equal(res.statusCode, 400, url)
    t.equal(res.json().code, 'VALIDATION_FAILED', url)
    t.match(res.json().errors, [{ path: /^\/query\/[a-z]+$/, message: 'is not allowed' }], url)
  }
  const exported = await app.inject({ url: '/v1/audit/export?limit=1', headers: auth })
  t.equal(exported.statusCode, 400, 'the export has no pages: limit is unknown to it')
})

t.test('error paths are JSON Pointers into the request; enum errors list the allowed values', async (t) => {
  const app = await build(t)
  const auth = { authorization: `Bearer ${await tokenFor(app, ['admin', 'auditor', 'system'], ALL)}` }
  const kind = await app.inject({ url: '/v1/audit/events?kind=everything', headers: auth })
  t.equal(kind.statusCode, 400)
  t.same(kind.json().errors, [{ path: '/query/kind', message: 'must be one of: lookup, delivery.accepted, delivery.attempted, delivery.delivered, delivery.failed, delivery.refused, auth.failed, admin.change, procedure.filed, procedure.step, procedure.action, event.received, event.rejected, event.delivery' }])
  const level = await app.inject({ url: '/v1/admin-units/001', headers: auth })
  t.same(level.json().errors.map((e: { path: string }) => e.path), ['/query/level'])
  const code = await app.inject({ url: '/v1/admin-units/001?level=province', headers: auth })
  t.same(code.json().errors.map((e: { path: string }) => e.path), ['/params/code'])
  const purpose = await app.inject({ method: 'POST', url: '/v1/lookups/citizen.lookup', headers: { ...auth, 'x-purpose': 'x'.repeat(300) }, payload: { personalId: '079203001234' } })
  t.same(purpose.json().errors.map((e: { path: string }) => e.path), ['/headers/x-purpose'])
  const key = await app.inject({ method: 'POST', url: '/v1/dossiers/000.00.01.H22-250715-0001/progress', headers: { ...auth, 'idempotency-key': 'short' }, payload: {} })
  t.equal(key.statusCode, 400)
  const body = await app.inject({ method: 'POST', url: '/v1/lookups/tax.taxpayer.lookup', headers: { ...auth, 'x-purpose': '1.000894' }, payload: { taxCode: '0100109108' } })
  t.same(body.json().errors.map((e: { path: string }) => e.path), ['/body/taxCode'])
  const whole = await app.inject({ method: 'POST', url: '/v1/dossiers', headers: { ...auth, 'content-type': 'application/json' }, payload: '[]' })
  t.same(whole.json().errors, [{ path: '/body', message: 'must be an object' }])
  const badCursor = await app.inject({ url: '/v1/audit/events?cursor=garbage', headers: auth })
  t.same(badCursor.json().errors, [{ path: '/query/cursor', message: 'is not a cursor this API gave' }])
})

t.test('every 503 says when to retry', async (t) => {
  const app = await build(t)
  const token = await tokenFor(app, ['system'], ALL)
  // no connector serves the lookups of this gateway (test/fixtures/no-connectors.json)
  const res = await app.inject({ method: 'POST', url: '/v1/lookups/citizen.lookup', headers: { authorization: `Bearer ${token}`, 'x-purpose': '1.000894' }, payload: { personalId: '079203001234' } })
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'UPSTREAM_UNAVAILABLE')
  t.match(res.headers['retry-after'], /^\d+$/)
})

t.test('every list is a page: items and nextCursor', async (t) => {
  const app = await build(t)
  const auth = { authorization: `Bearer ${await tokenFor(app, ['admin', 'auditor', 'system'], ALL)}` }
  for (const url of ['/v1/services', '/v1/admin/clients', '/v1/admin/connectors', '/v1/admin/connector-types', '/v1/admin/deliveries',
    '/v1/admin-units/provinces', '/v1/admin-units/communes?q=hoan%20kiem', '/v1/audit/events']) {
    const res = await app.inject({ url, headers: auth })
    t.equal(res.statusCode, 200, url)
    t.match(res.json(), { items: Array }, url)
    t.ok('nextCursor' in res.json(), `${url} says whether there is more`)
  }
})
