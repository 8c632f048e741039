import t from 'tap'
import { build, tokenFor } from '../helper.js'

t.test('admins create, list, get, patch, rotate and delete clients; the secret is shown once', async (t) => {
  const app = await build(t)
  const admin = await tokenFor(app, ['admin'])
  const auth = { authorization: `Bearer ${admin}` }

  const created = await app.inject({ method: 'POST', url: '/v1/admin/clients', headers: auth, payload: { id: '000.00.00.H29', name: 'TP HCM one-stop', roles: ['system'], grants: ['citizen.lookup'] } })
  t.equal(created.statusCode, 201)
  const { client, secret } = created.json()
  t.equal(client.id, '000.00.00.H29')
  t.type(secret, 'string')
  t.notOk('secret' in client || 'secretHash' in client, 'no secret material in the client view')

  const again = await app.inject({ method: 'POST', url: '/v1/admin/clients', headers: auth, payload: { id: '000.00.00.H29', name: 'dup', roles: ['system'] } })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'CONFLICT')

  const list = (await app.inject({ url: '/v1/admin/clients', headers: auth })).json()
  t.ok(list.items.some((c: { id: string }) => c.id === '000.00.00.H29'))
  t.equal(list.nextCursor, null, 'one page holds them all')
  t.notOk(JSON.stringify(list).includes(secret), 'secret never listed')

  const got = await app.inject({ url: '/v1/admin/clients/000.00.00.H29', headers: auth })
  t.equal(got.json().name, 'TP HCM one-stop')

  const patched = await app.inject({ method: 'PATCH', url: '/v1/admin/clients/000.00.00.H29', headers: auth, payload: { grants: ['citizen.lookup', 'tax.taxpayer.lookup'] } })
  t.same(patched.json().grants, ['citizen.lookup', 'tax.taxpayer.lookup'])

  const rotated = await app.inject({ method: 'POST', url: '/v1/admin/clients/000.00.00.H29/secret', headers: auth })
  t.equal(rotated.statusCode, 200)
  const newSecret = rotated.json().secret
  t.not(newSecret, secret)
  const token = (s: string) => app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: '000.00.00.H29', client_secret: s } })
  t.equal((await token(secret)).statusCode, 401, 'the old secret no longer works')
  t.equal((await token(newSecret)).statusCode, 200, 'the new one does')

  t.equal((await app.inject({ method: 'DELETE', url: '/v1/admin/clients/000.00.00.H29', headers: auth })).statusCode, 204)
  t.equal((await app.inject({ url: '/v1/admin/clients/000.00.00.H29', headers: auth })).statusCode, 404)
})

t.test('bad admin input is a 400 naming the field; non-admins get 403', async (t) => {
  const app = await build(t)
  const admin = await tokenFor(app, ['admin'])
  const auth = { authorization: `Bearer ${admin}` }
  const bad = await app.inject({ method: 'POST', url: '/v1/admin/clients', headers: auth, payload: { id: 'x', name: 'n', roles: ['root'] } })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().code, 'VALIDATION_FAILED')
  t.ok(bad.json().errors.length > 0)
  const unknownField = await app.inject({ method: 'PATCH', url: '/v1/admin/clients/abc', headers: auth, payload: { secretHash: 'x' } })
  t.equal(unknownField.statusCode, 400)
  t.same(unknownField.json().errors, [{ path: '/body/secretHash', message: 'is not allowed' }])
  const traversal = await app.inject({ url: '/v1/admin/clients/..%2F..%2Fetc', headers: auth })
  t.equal(traversal.statusCode, 400)

  const system = await tokenFor(app, ['system'], ['citizen.lookup'])
  const res = await app.inject({ url: '/v1/admin/clients', headers: { authorization: `Bearer ${system}` } })
  t.equal(res.statusCode, 403)
  t.equal(res.json().code, 'FORBIDDEN')
})

t.test('grants must name services that exist', async (t) => {
  const app = await build(t)
  const admin = await tokenFor(app, ['admin'])
  const res = await app.inject({ method: 'POST', url: '/v1/admin/clients', headers: { authorization: `Bearer ${admin}` }, payload: { id: 'prov-x', name: 'X', roles: ['system'], grants: ['citizen.lookup', 'weather.forecast'] } })
  t.equal(res.statusCode, 400)
  t.match(res.json().errors, [{ path: '/body/grants/1', message: /must be one of: citizen\.lookup, / }])
})

t.test('a client is created with its limits, and what GET answers can be PUT or PATCHed back (issue 15 item 4)', async (t) => {
  const app = await build(t)
  const auth = { authorization: `Bearer ${await tokenFor(app, ['admin'])}` }
  const created = await app.inject({ method: 'POST', url: '/v1/admin/clients', headers: auth, payload: { id: 'prov-79', name: 'HCM', roles: ['system'], limits: { perSecond: 5, perDay: 1000 } } })
  t.equal(created.statusCode, 201, created.body)
  t.same(created.json().client.limits, { perSecond: 5, perDay: 1000 })
  t.equal(created.json().client.version, 1)

  const got = (await app.inject({ url: '/v1/admin/clients/prov-79', headers: auth })).json()
  const put = await app.inject({ method: 'PUT', url: '/v1/admin/clients/prov-79', headers: auth, payload: got })
  t.equal(put.statusCode, 200, put.body)
  t.match(put.json(), { id: 'prov-79', name: 'HCM', limits: { perSecond: 5, perDay: 1000 }, version: 2 })
  const patched = await app.inject({ method: 'PATCH', url: '/v1/admin/clients/prov-79', headers: auth, payload: { ...(put.json() as object), name: 'Hồ Chí Minh' } })
  t.equal(patched.statusCode, 200, patched.body)
  t.match(patched.json(), { name: 'Hồ Chí Minh', version: 3 })

  const stale = await app.inject({ method: 'PUT', url: '/v1/admin/clients/prov-79', headers: auth, payload: { ...got, name: 'lost update' } })
  t.equal(stale.statusCode, 409, 'version 1 is stale')
  t.equal(stale.json().code, 'CONFLICT')
  t.equal((await app.inject({ url: '/v1/admin/clients/prov-79', headers: auth })).json().name, 'Hồ Chí Minh', 'nothing written')
  const staleDelta = await app.inject({ method: 'PATCH', url: '/v1/admin/clients/prov-79', headers: auth, payload: { enabled: false, version: 2 } })
  t.equal(staleDelta.statusCode, 409)
  const unconditional = await app.inject({ method: 'PATCH', url: '/v1/admin/clients/prov-79', headers: auth, payload: { enabled: false } })
  t.equal(unconditional.statusCode, 200, 'without a version the write is unconditional')
  const otherId = await app.inject({ method: 'PUT', url: '/v1/admin/clients/prov-79', headers: auth, payload: { ...got, id: 'prov-01', version: undefined } })
  t.equal(otherId.statusCode, 409, 'the body names another client')
  const replaced = await app.inject({ method: 'PUT', url: '/v1/admin/clients/prov-79', headers: auth, payload: { name: 'HCM', roles: ['system'] } })
  t.match(replaced.json(), { grants: [], enabled: true, limits: {} }, 'PUT replaces: what is left out takes its default')
  t.equal((await app.inject({ method: 'PUT', url: '/v1/admin/clients/nobody', headers: auth, payload: { name: 'n', roles: ['system'] } })).statusCode, 404)
})

t.test('clients are listed in pages; unknown query parameters are refused (issue 15 item 5)', async (t) => {
  const app = await build(t)
  const auth = { authorization: `Bearer ${await tokenFor(app, ['admin'])}` }
  for (const id of ['list-a', 'list-b', 'list-c']) await app.clients.create({ id, name: id, roles: ['system'] })
  const ids: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const res = await app.inject({ url: '/v1/admin/clients', headers: auth, query: { limit: '2', ...(cursor !== null ? { cursor } : {}) } })
    t.equal(res.statusCode, 200)
    const page = res.json() as { items: Array<{ id: string }>, nextCursor: string | null }
    t.ok(page.items.length <= 2)
    ids.push(...page.items.map((c) => c.id))
    cursor = page.nextCursor
    pages++
  } while (cursor !== null && pages < 10)
  t.same(ids, [...ids].sort(), 'by id')
  t.ok(['list-a', 'list-b', 'list-c', 'test-admin'].every((id) => ids.includes(id)), 'every client, once')
  t.equal(new Set(ids).size, ids.length)
  t.ok(pages >= 3, 'cut into pages, each saying there is more')

  const unknown = await app.inject({ url: '/v1/admin/clients?limitt=1', headers: auth })
  t.equal(unknown.statusCode, 400)
  t.same(unknown.json().errors, [{ path: '/query/limitt', message: 'is not allowed' }])
  const tooMany = await app.inject({ url: '/v1/admin/clients?limit=1001', headers: auth })
  t.equal(tooMany.statusCode, 400)
  t.match(tooMany.json().errors, [{ path: '/query/limit' }])
  const forged = await app.inject({ url: '/v1/admin/clients?cursor=bm9wZQ', headers: auth })
  t.equal(forged.statusCode, 400)
  t.same(forged.json().errors, [{ path: '/query/cursor', message: 'is not a cursor this API gave' }])
})
