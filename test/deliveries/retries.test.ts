import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, tokenFor } from '../helper.js'
import { createDvcqgSimulator } from '../../src/simulators/index.js'
import { FAST_ENV, AGENCIES, GRANTS, dossier, dossierCode, portalInstance, post, startPortal, statusCounts, step, waitFor } from './helper.js'

async function setup (t: Tap.Test, config: Record<string, unknown> = {}) {
  const portal = await startPortal(t)
  const app = await build(t, { connectors: [portalInstance(portal.url, config)], env: FAST_ENV })
  const token = await tokenFor(app, ['system'], GRANTS, AGENCIES)
  const admin = await tokenFor(app, ['admin'])
  return { app, token, admin, portal }
}

const get = async (app: FastifyInstance, token: string, url: string) =>
  await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })

t.test('retryable portal errors are retried with backoff until delivered; every attempt is recorded', async (t) => {
  const { app, token, portal } = await setup(t)
  portal.portal.forceErrors(3, 99)
  const res = await post(app, token, '/v1/dossiers', dossier(1))
  t.equal(res.statusCode, 202)
  await waitFor(async () => (await statusCounts(app)).delivered === 1, 10_000, 'delivered')
  const view = (await get(app, token, `/v1/deliveries/${res.json().deliveryId as string}`)).json()
  t.same(view.attempts.map((a: { outcome: string }) => a.outcome), ['retry', 'retry', 'retry', 'delivered'])
  t.match(view.attempts[0], { upstreamStatus: 200, upstreamCode: '99', error: /error_code 99/, durationMs: Number })
  t.equal(portal.portal.countApplied(dossierCode(1)), 1)
})

t.test('a permanent error fails at once; the last retryable attempt makes a dead letter; admins list and replay them', async (t) => {
  const { app, token, admin, portal } = await setup(t, { delivery: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 } })
  portal.portal.forceErrors(1, 1)
  const permanent = await post(app, token, '/v1/dossiers', dossier(1))
  await waitFor(async () => (await statusCounts(app)).failed === 1, 10_000, 'permanent failure')
  const pView = (await get(app, token, `/v1/deliveries/${permanent.json().deliveryId as string}`)).json()
  t.equal(pView.status, 'failed')
  t.same(pView.attempts.map((a: { outcome: string }) => a.outcome), ['failed'], 'not retried')

  portal.portal.forceErrors(3, 99)
  const exhausted = await post(app, token, '/v1/dossiers', dossier(2))
  await waitFor(async () => (await statusCounts(app)).failed === 2, 10_000, 'attempts exhausted')
  const eView = (await get(app, token, `/v1/deliveries/${exhausted.json().deliveryId as string}`)).json()
  t.same(eView.attempts.map((a: { outcome: string }) => a.outcome), ['retry', 'retry', 'failed'])

  // steps behind a dead letter wait for it
  const waiting = await post(app, token, `/v1/dossiers/${dossierCode(2)}/progress`, step(4))
  t.equal(waiting.statusCode, 202)

  const failed = await get(app, admin, '/v1/admin/deliveries?status=failed&service=dossier.sync')
  t.equal(failed.statusCode, 200)
  t.equal(failed.json().items.length, 2)
  t.match(failed.json().items[0], { status: 'failed', clientId: String, lastError: String, attempts: Array })
  t.equal((await get(app, admin, '/v1/admin/deliveries?status=failed&from=2099-01-01T00:00:00Z')).json().items.length, 0)
  t.equal((await get(app, admin, '/v1/admin/deliveries?status=lost')).statusCode, 400)
  t.equal((await get(app, token, '/v1/admin/deliveries')).statusCode, 403, 'admins only')
  const firstTwo = (await get(app, admin, '/v1/admin/deliveries?limit=2')).json()
  t.equal(firstTwo.items.length, 2)
  t.type(firstTwo.nextCursor, 'string', 'the page says there is more (issue 15 item 5)')
  const rest = (await get(app, admin, `/v1/admin/deliveries?limit=1000&cursor=${firstTwo.nextCursor as string}`)).json()
  const every = (await get(app, admin, '/v1/admin/deliveries')).json()
  t.same([...firstTwo.items, ...rest.items].map((d: { id: string }) => d.id), every.items.map((d: { id: string }) => d.id), 'pages continue where they stopped, newest first')
  t.equal(rest.nextCursor, null)
  t.equal((await get(app, admin, '/v1/admin/deliveries?cursor=bm9wZQ')).statusCode, 400, 'a cursor the API did not give')

  const one = await app.inject({ method: 'POST', url: `/v1/admin/deliveries/${exhausted.json().deliveryId as string}/retry`, headers: { authorization: `Bearer ${admin}` } })
  t.equal(one.statusCode, 202, one.body)
  t.same(one.json(), { retried: 1, ids: [exhausted.json().deliveryId] })
  await waitFor(async () => (await statusCounts(app)).delivered === 2, 10_000, 'replayed delivery and the step behind it')
  t.same(portal.portal.received(dossierCode(2)).progress.length, 1, 'the waiting step went after its dossier')
  const again = await app.inject({ method: 'POST', url: `/v1/admin/deliveries/${exhausted.json().deliveryId as string}/retry`, headers: { authorization: `Bearer ${admin}` } })
  t.equal(again.statusCode, 409, 'only failed deliveries are replayed')
  const missing = await app.inject({ method: 'POST', url: '/v1/admin/deliveries/00000000-0000-4000-8000-000000000000/retry', headers: { authorization: `Bearer ${admin}` } })
  t.equal(missing.statusCode, 404)

  const badFilter = await app.inject({ method: 'POST', url: '/v1/admin/deliveries/retry?colour=red', headers: { authorization: `Bearer ${admin}` } })
  t.equal(badFilter.statusCode, 400)
  const bulk = await app.inject({ method: 'POST', url: '/v1/admin/deliveries/retry?service=dossier.sync', headers: { authorization: `Bearer ${admin}` } })
  t.equal(bulk.statusCode, 202, bulk.body)
  t.equal(bulk.json().retried, 1)
  await waitFor(async () => (await statusCounts(app)).delivered === 3, 10_000, 'bulk replay')
  const replayed = (await get(app, token, `/v1/deliveries/${permanent.json().deliveryId as string}`)).json()
  t.same(replayed.attempts.map((a: { outcome: string }) => a.outcome), ['failed', 'delivered'], 'history kept across the replay')
  t.same(portal.portal.duplicates(), [])
})

t.test('an expired portal session means a new login, never a failed delivery', async (t) => {
  const { app, token, portal } = await setup(t)
  for (let n = 1; n <= 5; n++) await post(app, token, '/v1/dossiers', dossier(n))
  await waitFor(async () => (await statusCounts(app)).delivered === 5, 10_000, 'first batch')
  portal.portal.expireSessions()
  for (let n = 1; n <= 5; n++) await post(app, token, `/v1/dossiers/${dossierCode(n)}/progress`, step(4))
  await waitFor(async () => (await statusCounts(app)).delivered === 10, 10_000, 'after expiry')
  t.same(await statusCounts(app), { delivered: 10 })
  const { rows } = await app.db.query("SELECT count(*)::int AS n FROM delivery_attempts WHERE outcome <> 'delivered'")
  t.equal(rows[0].n, 0, 'no attempt failed')
  t.ok(portal.portal.stats().authCalls >= 2, 'logged in again')
  t.same(portal.portal.duplicates(), [])
})

t.test('different dossiers are delivered concurrently; one dossier stays in order', async (t) => {
  // A portal counting the integration calls it holds at once (each takes 100 ms).
  const portal = createDvcqgSimulator()
  let inFlight = 0
  let most = 0
  portal.app.server.on('request', (req, res) => {
    if (req.url !== '/api/integration') return
    most = Math.max(most, ++inFlight)
    res.once('close', () => { inFlight-- })
  })
  await portal.listen(0)
  t.teardown(async () => { await portal.close() })
  const app = await build(t, { connectors: [portalInstance(portal.url as string)], env: FAST_ENV })
  const token = await tokenFor(app, ['system'], GRANTS, AGENCIES)
  portal.faults.set({ latencyMs: 100 })
  await Promise.all(Array.from({ length: 20 }, async (_, i) => await post(app, token, '/v1/dossiers', dossier(i + 1))))
  for (let s = 0; s < 4; s++) await post(app, token, `/v1/dossiers/${dossierCode(1)}/progress`, step(4, { note: `s${s}` }))
  await waitFor(async () => (await statusCounts(app)).delivered === 24, 30_000, 'all')
  t.ok(most >= 4, `${most} portal calls at once`)
  t.same(portal.portal.received(dossierCode(1)).progress.map((p) => p.data.NoiDungXuLy), ['s0', 's1', 's2', 's3'])
})
