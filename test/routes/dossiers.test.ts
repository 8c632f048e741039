import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, tokenFor } from '../helper.js'
import { FAST_ENV, AGENCIES, GRANTS, dossier, dossierCode, portalInstance, post, startPortal, statusCounts, step, waitFor } from '../deliveries/helper.js'

async function setup (t: Tap.Test, opts: { workers?: boolean } = {}) {
  const portal = await startPortal(t)
  const app = await build(t, { connectors: [portalInstance(portal.url)], env: FAST_ENV, workers: opts.workers ?? true })
  const token = await tokenFor(app, ['system'], GRANTS, AGENCIES)
  return { app, token, portal }
}

const get = async (app: FastifyInstance, token: string, url: string) =>
  await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })

t.test('a dossier and its steps are accepted (202), delivered in order, and every attempt is visible', async (t) => {
  const { app, token, portal } = await setup(t)
  const res = await post(app, token, '/v1/dossiers', dossier(1), { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' })
  t.equal(res.statusCode, 202, res.body)
  t.match(res.json(), { deliveryId: /^[0-9a-f-]{36}$/, dossierCode: dossierCode(1), status: 'queued' })
  const steps = [step(4), step(5), step(4), step(9), step(10)]
  for (const [i, s] of steps.entries()) {
    const r = await post(app, token, `/v1/dossiers/${dossierCode(1)}/progress`, { ...s, note: `step ${i}` })
    t.equal(r.statusCode, 202, r.body)
  }
  await waitFor(async () => (await statusCounts(app)).delivered === 6, 10_000, 'six deliveries')
  const received = portal.portal.received(dossierCode(1))
  t.equal(received.dossiers.length, 1)
  t.same(received.progress.map((p) => p.data.NoiDungXuLy), ['step 0', 'step 1', 'step 2', 'step 3', 'step 4'], 'steps in accepted order')
  t.equal(received.dossiers[0].data.NgayTiepNhan, '20250715083000')
  t.equal(received.dossiers[0].isUpdating, false)

  const one = await get(app, token, `/v1/deliveries/${res.json().deliveryId as string}`)
  t.equal(one.statusCode, 200)
  t.match(one.json(), { service: 'dossier.sync', dossierCode: dossierCode(1), status: 'delivered', deliveredAt: String })
  t.equal(one.json().attempts.length, 1)
  t.match(one.json().attempts[0], { outcome: 'delivered', durationMs: Number, at: String })

  const all = await get(app, token, `/v1/dossiers/${dossierCode(1)}/deliveries`)
  t.equal(all.statusCode, 200)
  t.same(all.json().items.map((d: { service: string }) => d.service), ['dossier.sync', ...steps.map(() => 'dossier.progress')])
  t.equal(all.json().nextCursor, null)
  // the same list in pages of 2, each saying whether there is more (issue 15 item 5)
  const paged: string[] = []
  let cursor: string | null = null
  do {
    const page = (await get(app, token, `/v1/dossiers/${dossierCode(1)}/deliveries?limit=2${cursor !== null ? `&cursor=${cursor}` : ''}`)).json() as { items: Array<{ id: string }>, nextCursor: string | null }
    paged.push(...page.items.map((d) => d.id))
    cursor = page.nextCursor
  } while (cursor !== null)
  t.same(paged, all.json().items.map((d: { id: string }) => d.id))

  const update = await post(app, token, '/v1/dossiers', dossier(1, { status: 10, summary: 'updated' }))
  t.equal(update.statusCode, 202)
  await waitFor(async () => (await statusCounts(app)).delivered === 7, 10_000, 'the update')
  t.equal(portal.portal.received(dossierCode(1)).dossiers[1].isUpdating, true, 'a known dossier is sent with isUpdating')
  t.same(portal.portal.duplicates(), [])
})

t.test('invalid dossiers → 400 with errors[]', async (t) => {
  const { app, token } = await setup(t, { workers: false })
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['code format', dossier(1, { code: '000.00.01.H22-251315-0001' }), '/code'],
    ['status outside 1–10', dossier(1, { status: 11 }), '/status'],
    ['date', dossier(1, { receivedAt: '15/07/2025' }), '/receivedAt'],
    ['due before received', dossier(1, { dueAt: '2025-07-14T08:00:00+07:00' }), '/dueAt'],
    ['missing field', (({ procedureCode, ...rest }) => rest)(dossier(1)), '/procedureCode'],
    ['unknown field', dossier(1, { colour: 'blue' }), '/colour']
  ]
  for (const [what, body, path] of cases) {
    const res = await post(app, token, '/v1/dossiers', body)
    t.equal(res.statusCode, 400, what)
    t.equal(res.json().code, 'VALIDATION_FAILED', what)
    t.ok(res.json().errors.some((e: { path: string }) => e.path === `/body${path}`), `${what}: ${JSON.stringify(res.json().errors)}`)
  }
  const badStep = await post(app, token, `/v1/dossiers/${dossierCode(1)}/progress`, step(0))
  t.equal(badStep.statusCode, 400)
  t.ok(badStep.json().errors.some((e: { path: string }) => e.path === '/body/status'))
  const badKey = await post(app, token, '/v1/dossiers', dossier(1), { 'idempotency-key': 'no spaces allowed' })
  t.equal(badKey.statusCode, 400)
  t.same(await statusCounts(app), {}, 'nothing recorded')
})

t.test('unknown dossier → 404, another client\'s → 404, forbidden transition → 409, no grant → 403', async (t) => {
  const { app, token } = await setup(t, { workers: false })
  const unknown = await post(app, token, `/v1/dossiers/${dossierCode(9)}/progress`, step(4))
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().code, 'NOT_FOUND')

  const mine = await post(app, token, '/v1/dossiers', dossier(1))
  t.equal(mine.statusCode, 202)
  const other = await tokenFor(app, ['system'], GRANTS, AGENCIES)
  t.equal((await get(app, other, `/v1/deliveries/${mine.json().deliveryId as string}`)).statusCode, 404, 'another client\'s delivery')
  t.equal((await get(app, other, `/v1/dossiers/${dossierCode(1)}/deliveries`)).statusCode, 404, 'another client\'s dossier')
  t.equal((await get(app, token, '/v1/deliveries/not-a-uuid')).statusCode, 404)
  t.equal((await post(app, other, `/v1/dossiers/${dossierCode(1)}/progress`, step(4))).statusCode, 404, 'no steps on another client\'s dossier')
  const squat = await post(app, other, '/v1/dossiers', dossier(1, { summary: 'x' }))
  t.equal(squat.statusCode, 403, 'no sync of another client\'s dossier, even by a client registered for its agency')
  t.equal(squat.json().code, 'AGENCY_NOT_ALLOWED')
  t.notMatch(squat.json().detail, /managed by another client/)

  const forbidden = await post(app, token, `/v1/dossiers/${dossierCode(1)}/progress`, step(10))
  t.equal(forbidden.statusCode, 409, '2 → 10 is not a transition')
  t.equal(forbidden.json().code, 'CONFLICT')
  t.match(forbidden.json().detail, /status 2 \(DuocTiepNhan\).*status 10/)
  t.equal((await post(app, token, `/v1/dossiers/${dossierCode(1)}/progress`, step(4))).statusCode, 202, '2 → 4')
  t.equal((await post(app, token, '/v1/dossiers', dossier(1, { status: 2, summary: 'back' }))).statusCode, 409, '4 → 2 is not a transition')

  const noGrant = await tokenFor(app, ['system'], ['citizen.lookup'], AGENCIES)
  t.equal((await post(app, noGrant, '/v1/dossiers', dossier(2))).statusCode, 403)
  const admin = await tokenFor(app, ['admin'], GRANTS, AGENCIES)
  t.equal((await post(app, admin, '/v1/dossiers', dossier(2))).statusCode, 403, 'role system only')
})

t.test('idempotency: same key and body → the same delivery (200); same key, other body → 409', async (t) => {
  const { app, token } = await setup(t, { workers: false })
  const key = { 'idempotency-key': 'sync-0001-abcdef' }
  const first = await post(app, token, '/v1/dossiers', dossier(1), key)
  t.equal(first.statusCode, 202)
  const again = await post(app, token, '/v1/dossiers', dossier(1), key)
  t.equal(again.statusCode, 200)
  t.equal(again.json().deliveryId, first.json().deliveryId)
  const other = await post(app, token, '/v1/dossiers', dossier(1, { summary: 'another body' }), key)
  t.equal(other.statusCode, 409)
  const noKey1 = await post(app, token, `/v1/dossiers/${dossierCode(1)}/progress`, step(4))
  const noKey2 = await post(app, token, `/v1/dossiers/${dossierCode(1)}/progress`, step(4))
  t.equal(noKey1.statusCode, 202)
  t.equal(noKey2.statusCode, 200, 'without a key: dossier code + body hash')
  t.equal(noKey2.json().deliveryId, noKey1.json().deliveryId)
  const concurrent = await Promise.all([1, 2, 3, 4].map(async () => await post(app, token, '/v1/dossiers', dossier(2), { 'idempotency-key': 'race-key-0002' })))
  t.same(new Set(concurrent.map((r) => r.json().deliveryId)).size, 1, 'concurrent repeats share one delivery')
  t.same(concurrent.map((r) => r.statusCode).sort(), [200, 200, 200, 202])
  t.same(await statusCounts(app), { queued: 3 })
})

t.test('Redis unavailable at accept → 503, the delivery stays recorded and the reconciler queues it', async (t) => {
  const { app, token, portal } = await setup(t)
  const producer = await app.queues.deliveries.client
  producer.disconnect()
  const res = await post(app, token, '/v1/dossiers', dossier(1))
  t.equal(res.statusCode, 503, res.body)
  t.equal(res.json().code, 'SERVICE_UNAVAILABLE')
  t.same(await statusCounts(app), { queued: 1 }, 'recorded, never 202 without the job')
  await producer.connect()
  await app.queues.reconcile()
  await waitFor(async () => (await statusCounts(app)).delivered === 1, 10_000, 'delivery after reconcile')
  t.equal(portal.portal.countApplied(dossierCode(1)), 1)
  const again = await post(app, token, '/v1/dossiers', dossier(1))
  t.equal(again.statusCode, 200, 'the repeated request finds it')
  t.equal(again.json().status, 'delivered')
})
