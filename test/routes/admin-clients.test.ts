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
  t.ok(list.some((c: { id: string }) => c.id === '000.00.00.H29'))
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
  t.match(unknownField.json().errors, [{ path: '/secretHash' }])
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
  t.match(res.json().errors, [{ path: '/grants/1' }])
})
