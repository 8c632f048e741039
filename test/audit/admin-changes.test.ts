import t from 'tap'
import { build, tokenFor } from '../helper.js'
import { auditRows, auditTableText } from './helper.js'

t.test('every change to an API client is an admin change in the audit trail; no secret is recorded', async (t) => {
  const app = await build(t, { env: { AUDIT_KEY: 'admin-change-test-key-0123456789' } })
  const admin = await tokenFor(app, ['admin'])
  const auth = { authorization: `Bearer ${admin}` }
  const created = await app.inject({ method: 'POST', url: '/v1/admin/clients', headers: auth, payload: { id: 'prov-79', name: 'TP HCM', roles: ['system'], grants: ['citizen.lookup'] } })
  t.equal(created.statusCode, 201)
  const patched = await app.inject({ method: 'PATCH', url: '/v1/admin/clients/prov-79', headers: auth, payload: { enabled: false } })
  t.equal(patched.statusCode, 200)
  const rotated = await app.inject({ method: 'POST', url: '/v1/admin/clients/prov-79/secret', headers: auth })
  t.equal(rotated.statusCode, 200)
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/admin/clients/prov-79', headers: auth })).statusCode, 204)
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/admin/clients/prov-79', headers: auth })).statusCode, 404, 'a refused change is not one')

  const changes = (await auditRows(app)).filter((r) => r.kind === 'admin.change')
  t.same(changes.map((r) => (r.details as { action: string }).action), ['create', 'update', 'rotate-secret', 'delete'])
  t.ok(changes.every((r) => (r.details as { entity: string, id: string }).entity === 'client' && (r.details as { id: string }).id === 'prov-79'))
  t.same(changes.map((r) => r.http_status), [201, 200, 200, 204], 'each with the status its client was answered')
  t.match(changes[1].details, { before: { enabled: true }, after: { enabled: false } })
  const text = await auditTableText(app)
  for (const secret of [(created.json() as { secret: string }).secret, (rotated.json() as { secret: string }).secret]) {
    t.notOk(text.includes(secret), 'the secret shown once is not in the trail')
  }
})
