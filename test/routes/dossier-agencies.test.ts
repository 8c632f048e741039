import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, tokenFor } from '../helper.js'
import { FAST_ENV, GRANTS, dossier, portalInstance, post, startPortal, statusCounts, step } from '../deliveries/helper.js'

/** A client with this id (and agencies, when given) and a token for it. */
async function clientToken (app: FastifyInstance, id: string, agencies?: string[]): Promise<string> {
  const { secret } = await app.clients.create({ id, name: id, roles: ['system'], grants: GRANTS, ...(agencies !== undefined ? { agencies } : {}) })
  const res = await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: id, client_secret: secret } })
  return res.json().access_token as string
}

const of = (agency: string, n: number): Record<string, unknown> =>
  dossier(n, { code: `${agency}-251205-${String(n).padStart(4, '0')}`, agencyCode: agency })

async function setup (t: Tap.Test): Promise<FastifyInstance> {
  const portal = await startPortal(t)
  return await build(t, { connectors: [portalInstance(portal.url)], env: FAST_ENV, workers: false })
}

t.test('a system cannot publish or squat another agency\'s dossiers (issue 22 #1)', async (t) => {
  const app = await setup(t)
  const h01 = await clientToken(app, '000.00.00.H01')
  const h29 = await clientToken(app, '000.00.00.H29')

  // the attack: H01 publishes a dossier of H29 under H29's code
  const squat = await post(app, h01, '/v1/dossiers', of('000.00.00.H29', 999))
  t.equal(squat.statusCode, 403)
  t.match(squat.json(), { code: 'AGENCY_NOT_ALLOWED', status: 403 })
  t.same(await statusCounts(app), {}, 'nothing recorded, nothing queued for the portal')
  t.equal((await post(app, h29, '/v1/dossiers', of('000.00.00.H29', 999))).statusCode, 202, 'H29 syncs its own dossier under that code')

  // the code and agencyCode must both be the caller's
  t.equal((await post(app, h01, '/v1/dossiers', { ...of('000.00.00.H01', 5), agencyCode: '000.00.00.H29' })).statusCode, 403, 'a foreign agencyCode')
  t.equal((await post(app, h01, '/v1/dossiers', { ...of('000.00.00.H29', 5), agencyCode: '000.00.00.H01' })).statusCode, 403, 'a foreign code')
  t.equal((await post(app, h01, '/v1/dossiers', of('000.00.00.H01', 5))).statusCode, 202, 'its own agency')

  // the same answer whether the dossier exists or not: existence is never told to a client that does not act for it
  const answer = (res: Awaited<ReturnType<typeof post>>, code: string) => ({ status: res.statusCode, ...res.json(), detail: String(res.json().detail).replace(code, '<code>'), traceId: undefined, instance: undefined })
  const known = '000.00.00.H29-251205-0999'
  const unknown = '000.00.00.H29-251205-0998'
  t.same(answer(await post(app, h01, `/v1/dossiers/${known}/progress`, step(4)), known), answer(await post(app, h01, `/v1/dossiers/${unknown}/progress`, step(4)), unknown), 'progress')
  t.same(answer(await post(app, h01, '/v1/dossiers', of('000.00.00.H29', 999)), known), answer(await post(app, h01, '/v1/dossiers', of('000.00.00.H29', 998)), unknown), 'sync')
  const malformed = await post(app, h01, '/v1/dossiers/not-a-code/progress', step(4))
  t.equal(malformed.statusCode, 403, 'a code of no agency')
})

t.test('a provincial one-stop system acts for the agencies an admin lists, patterns included', async (t) => {
  const app = await setup(t)
  const admin = { authorization: `Bearer ${await tokenFor(app, ['admin'])}` }
  const created = await app.inject({ method: 'POST', url: '/v1/admin/clients', headers: admin, payload: { id: 'hcm-onestop', name: 'TP HCM one-stop', roles: ['system'], grants: GRANTS, agencies: ['000.00.*.H29', '000.01.00.H30'] } })
  t.equal(created.statusCode, 201, created.body)
  t.same(created.json().client.agencies, ['000.00.*.H29', '000.01.00.H30'])
  const { secret } = created.json()
  const token = (await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: 'hcm-onestop', client_secret: secret } })).json().access_token
  for (const [agency, status] of [['000.00.00.H29', 202], ['000.00.17.H29', 202], ['000.01.00.H30', 202], ['000.01.00.H29', 403], ['000.00.01.H30', 403], ['000.00.00.H01', 403]] as const) {
    t.equal((await post(app, token, '/v1/dossiers', of(agency, 1))).statusCode, status, agency)
  }
  t.equal((await post(app, token, '/v1/dossiers/000.00.17.H29-251205-0001/progress', step(4))).statusCode, 202, 'progress on one of them')

  const patched = await app.inject({ method: 'PATCH', url: '/v1/admin/clients/hcm-onestop', headers: admin, payload: { agencies: ['*.*.*.H29'] } })
  t.same(patched.json().agencies, ['*.*.*.H29'])
  t.equal((await post(app, token, '/v1/dossiers', of('000.01.00.H29', 2))).statusCode, 202, 'a change applies to live tokens')
  t.equal((await post(app, token, '/v1/dossiers', of('000.01.00.H30', 2))).statusCode, 403)

  const bad = await app.inject({ method: 'PATCH', url: '/v1/admin/clients/hcm-onestop', headers: admin, payload: { agencies: ['000.00.00.H29', '000.0*.00.H29', '*.*.*.*'] } })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().errors, [{ path: '/agencies/1' }])
  const everything = await app.inject({ method: 'PATCH', url: '/v1/admin/clients/hcm-onestop', headers: admin, payload: { agencies: ['*.*.*.*'] } })
  t.match(everything.json(), { status: 400, errors: [{ path: '/agencies/0', message: /every agency/ }] })

  // what GET returns can be PATCHed back; the declarative config carries the list both ways
  const got = (await app.inject({ url: '/v1/admin/clients/hcm-onestop', headers: admin })).json()
  t.equal((await app.inject({ method: 'PATCH', url: '/v1/admin/clients/hcm-onestop', headers: admin, payload: { grants: got.grants, agencies: got.agencies } })).statusCode, 200)
  const exported = (await app.inject({ url: '/v1/admin/config', headers: admin })).json()
  t.same(exported.clients.find((c: { id: string }) => c.id === 'hcm-onestop').agencies, ['*.*.*.H29'])
  const imported = await app.inject({
    method: 'PUT',
    url: '/v1/admin/config',
    headers: admin,
    payload: { ...exported, clients: exported.clients.map((c: { id: string }) => c.id === 'hcm-onestop' ? { ...c, agencies: ['000.00.00.H29'] } : c) }
  })
  t.equal(imported.statusCode, 200, imported.body)
  t.same((await app.clients.get('hcm-onestop'))?.agencies, ['000.00.00.H29'])
  const badImport = await app.inject({ method: 'PUT', url: '/v1/admin/config', headers: admin, payload: { ...exported, clients: [{ id: 'x-new', name: 'x', roles: ['system'], agencies: ['*.*.*.*'] }] } })
  t.match(badImport.json(), { status: 400, errors: [{ path: '/clients/0/agencies/0' }] })
})

t.test('a client without a list acts for its own id when that is an agency id, else for none', async (t) => {
  const app = await setup(t)
  t.same((await app.clients.create({ id: '000.00.00.H29', name: 'H29', roles: ['system'] })).client.agencies, ['000.00.00.H29'])
  t.same((await app.clients.create({ id: 'some-system', name: 's', roles: ['system'] })).client.agencies, [])
  const none = await clientToken(app, 'hcm-no-list')
  t.equal((await post(app, none, '/v1/dossiers', of('000.00.00.H29', 1))).statusCode, 403)
})
