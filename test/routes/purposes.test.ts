import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, tokenFor, upstream } from '../helper.js'
import { AGENCIES, FAST_ENV, dossier, portalInstance, post, startPortal } from '../deliveries/helper.js'
import { auditRows } from '../audit/helper.js'

const CITIZEN = { personalId: '079203001234', fullName: 'Nguyễn Văn A', dateOfBirth: '2003-01-01', gender: 'male', nationality: 'VN', permanentAddress: { provinceCode: '79', communeCode: '26740', detail: '1 Lê Lợi' }, status: 'alive' }

async function setup (t: Tap.Test): Promise<FastifyInstance> {
  const url = await upstream(t, (up) => up.post('/lookup', async () => CITIZEN))
  const portal = await startPortal(t)
  return await build(t, {
    connectors: [
      { id: 'population', type: 'rest-json', services: ['citizen.lookup'], provinces: null, enabled: true, config: { baseUrl: url, operations: { 'citizen.lookup': { path: '/lookup' } } } },
      portalInstance(portal.url)
    ],
    env: { ...FAST_ENV, AUDIT_KEY: 'test-audit-key-0123456789abcdef' },
    workers: false
  })
}

const lookup = async (app: FastifyInstance, token: string, purpose?: string) => await app.inject({
  method: 'POST',
  url: '/v1/lookups/citizen.lookup',
  headers: { authorization: `Bearer ${token}`, ...(purpose !== undefined ? { 'x-purpose': purpose } : {}), 'x-request-id': `p-${Math.random()}` },
  payload: { personalId: '079203001234' }
})

t.test('a grant names its purposes; other purposes are refused with 403 PURPOSE_NOT_ALLOWED (issue 15 #8)', async (t) => {
  const app = await setup(t)
  const token = await tokenFor(app, ['system'], [{ service: 'citizen.lookup', purposes: ['1.000894', 'ND13-2023-D17'] }])
  for (const purpose of ['1.000894', '1.000894.000.00.00.H29', 'ND13-2023-D17', '1.000894 Dang ky ket hon cho ong A']) {
    t.equal((await lookup(app, token, purpose)).statusCode, 200, purpose)
  }
  for (const purpose of ['1.003003', 'x', 'test', 'nd13-2023-d17', '1.0008941']) {
    const res = await lookup(app, token, purpose)
    t.equal(res.statusCode, 403, purpose)
    t.match(res.json(), { code: 'PURPOSE_NOT_ALLOWED', detail: /one of 1\.000894, ND13-2023-D17/ })
  }
  t.equal((await lookup(app, token)).json().code, 'PURPOSE_REQUIRED')
  const rows = (await auditRows(app)).filter((r) => r.error_code === 'PURPOSE_NOT_ALLOWED')
  t.equal(rows.length, 5, 'each refusal is an audit event')
  t.match(rows[0], { kind: 'lookup', outcome: 'denied', http_status: 403, purpose: '1.003003' })
})

t.test('a plain grant (a service id) allows any national procedure code, and nothing else', async (t) => {
  const app = await setup(t)
  const token = await tokenFor(app, ['system'], ['citizen.lookup'])
  t.equal((await lookup(app, token, '1.000894')).statusCode, 200)
  t.equal((await lookup(app, token, '2.001234.000.00.00.H29')).statusCode, 200, 'a local form')
  for (const purpose of ['x', 'test', 'Xac minh nhan than', 'ND13-2023-D17']) {
    t.equal((await lookup(app, token, purpose)).json().code, 'PURPOSE_NOT_ALLOWED', purpose)
  }
})

t.test('dossier and progress calls need a purpose their grant allows', async (t) => {
  const app = await setup(t)
  const plain = await tokenFor(app, ['system'], ['dossier.sync', 'dossier.progress'], AGENCIES)
  const none = await post(app, plain, '/v1/dossiers', dossier(1), { 'x-purpose': '' })
  t.match(none.json(), { status: 400, code: 'PURPOSE_REQUIRED' })
  t.equal((await post(app, plain, '/v1/dossiers', dossier(1), { 'x-purpose': 'sync' })).json().code, 'PURPOSE_NOT_ALLOWED')
  t.equal((await post(app, plain, '/v1/dossiers', dossier(1))).statusCode, 202)
  const noStep = await post(app, plain, '/v1/dossiers/000.00.01.H22-250715-0001/progress', { handler: 'x' }, { 'x-purpose': '' })
  t.equal(noStep.json().code, 'PURPOSE_REQUIRED')

  const narrow = await tokenFor(app, ['system'], [{ service: 'dossier.sync', purposes: ['1.000894'] }], AGENCIES)
  t.equal((await post(app, narrow, '/v1/dossiers', dossier(2), { 'x-purpose': '1.001612' })).json().code, 'PURPOSE_NOT_ALLOWED')
  t.equal((await post(app, narrow, '/v1/dossiers', dossier(2), { 'x-purpose': '1.000894.000.00.00.H22' })).statusCode, 202)
})

t.test('admins give grants with purposes; bad purposes and a service granted twice are 400', async (t) => {
  const app = await setup(t)
  const admin = { authorization: `Bearer ${await tokenFor(app, ['admin'])}` }
  const grants = ['land.parcel.lookup', { service: 'citizen.lookup', purposes: ['1.000894', 'ND13-2023-D17'] }]
  const created = await app.inject({ method: 'POST', url: '/v1/admin/clients', headers: admin, payload: { id: 'prov-p', name: 'P', roles: ['system'], grants } })
  t.equal(created.statusCode, 201, created.body)
  t.same(created.json().client.grants, grants, 'answered as given')
  t.same((await app.inject({ url: '/v1/admin/clients/prov-p', headers: admin })).json().grants, grants)
  const exported = (await app.inject({ url: '/v1/admin/config', headers: admin })).json()
  const same = await app.inject({ method: 'PUT', url: '/v1/admin/config', headers: admin, payload: exported })
  t.ok(same.json().changes.every((c: { action: string }) => c.action === 'unchanged'), 'a round trip changes nothing')

  const patch = async (payload: unknown) => await app.inject({ method: 'PATCH', url: '/v1/admin/clients/prov-p', headers: admin, payload: payload as object })
  t.match((await patch({ grants: [{ service: 'citizen.lookup', purposes: ['bad purpose'] }] })).json(), { status: 400, code: 'VALIDATION_FAILED' })
  t.match((await patch({ grants: [{ service: 'citizen.lookup', purposes: [] }] })).json(), { status: 400 })
  t.match((await patch({ grants: ['citizen.lookup', { service: 'citizen.lookup', purposes: ['1.000894'] }] })).json(), { status: 400, errors: [{ path: '/grants/1' }] })
  const plain = await patch({ grants: ['citizen.lookup'] })
  t.same(plain.json().grants, ['citizen.lookup'], 'back to a plain grant')
})
