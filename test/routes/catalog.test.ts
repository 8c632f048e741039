import t from 'tap'
import { build, tokenFor } from '../helper.js'

t.test('a caller sees the services it is granted, each with its schemas', async (t) => {
  const app = await build(t)
  const token = await tokenFor(app, ['system'], ['citizen.lookup', 'land.parcel.lookup'])
  const auth = { authorization: `Bearer ${token}` }
  const list = (await app.inject({ url: '/v1/services', headers: auth })).json().items
  t.same(list.map((s: { id: string }) => s.id).sort(), ['citizen.lookup', 'land.parcel.lookup'])
  t.match(list[0], { id: String, version: String, kind: 'lookup', title: String, description: String })

  const one = (await app.inject({ url: '/v1/services/citizen.lookup', headers: auth })).json()
  t.equal(one.requestSchema.$id, 'citizen.lookup.request')
  t.equal(one.responseSchema.$id, 'citizen.lookup.response')
  t.equal((await app.inject({ url: '/v1/services/tax.taxpayer.lookup', headers: auth })).statusCode, 404, 'ungranted is not shown')
  const missing = await app.inject({ url: '/v1/services/nope', headers: auth })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().code, 'SERVICE_NOT_FOUND')
})

t.test('OpenAPI, docs, health and unknown routes', async (t) => {
  const app = await build(t)
  const spec = await app.inject('/openapi.json')
  t.equal(spec.statusCode, 200)
  const doc = spec.json()
  t.equal(doc.openapi, '3.1.0')
  for (const path of ['/v1/auth/token', '/v1/lookups/citizen.lookup', '/v1/services', '/v1/admin/clients']) t.ok(doc.paths[path], path)
  t.ok(doc.components.schemas['citizen.lookup.request'])
  t.equal((await app.inject('/docs')).statusCode < 400, true)
  t.same((await app.inject('/health/live')).json(), { status: 'ok' })
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 200)
  t.same(ready.json().checks, { postgres: 'up', redis: 'up', audit: 'up' })
  const nf = await app.inject('/v1/nothing-here')
  t.equal(nf.statusCode, 404)
  t.equal(nf.json().code, 'NOT_FOUND')
  t.match(nf.headers['content-type'], /problem\+json/)
})
