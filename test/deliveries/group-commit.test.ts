import t from 'tap'
import { build, tokenFor } from '../helper.js'
import { acceptDeliveries, type Accepted, type AcceptInput } from '../../src/deliveries/accept.js'
import { coalesce } from '../../src/deliveries/coalesce.js'
import { idempotencyOf } from '../../src/deliveries/idempotency.js'
import { FAST_ENV, AGENCIES, GRANTS, dossier, dossierCode, portalInstance, post, startPortal, statusCounts, step, waitFor } from './helper.js'

t.test('concurrent accepts share groups, each answered on its own: a refused request fails no other', async (t) => {
  const portal = await startPortal(t)
  const app = await build(t, { connectors: [portalInstance(portal.url)], env: FAST_ENV, workers: false })
  const token = await tokenFor(app, ['system'], GRANTS, AGENCIES)
  const other = await tokenFor(app, ['system'], GRANTS, AGENCIES)
  t.equal((await post(app, other, '/v1/dossiers', dossier(99))).statusCode, 202)

  const N = 30
  const results = await Promise.all([
    ...Array.from({ length: N }, async (_, i) => await post(app, token, '/v1/dossiers', dossier(i + 1))),
    post(app, token, `/v1/dossiers/${dossierCode(500)}/progress`, step(4)), // unknown dossier
    post(app, token, '/v1/dossiers', dossier(99)), // another client's dossier
    post(app, token, '/v1/dossiers', dossier(200), { 'idempotency-key': 'same-key-0001' }),
    post(app, token, '/v1/dossiers', dossier(200), { 'idempotency-key': 'same-key-0001' }),
    post(app, token, '/v1/dossiers', dossier(201), { 'idempotency-key': 'same-key-0001' }) // same key, other body
  ])
  const codes = results.map((r) => r.statusCode)
  t.same(codes.slice(0, N), Array(N).fill(202), 'every new dossier accepted')
  t.equal(codes[N], 404)
  t.equal(results[N].json().code, 'NOT_FOUND')
  t.equal(codes[N + 1], 403, 'another client\'s dossier')
  t.equal(results[N + 1].json().code, 'AGENCY_NOT_ALLOWED', 'the group answers as a lone request would')
  // One key, three requests at once: whichever is recorded first wins (202); a repeat of its body finds it (200),
  // another body is a conflict (409).
  const keyed = results.slice(N + 2)
  const bodies = [200, 200, 201]
  const winner = keyed.findIndex((r) => r.statusCode === 202)
  t.equal(keyed.filter((r) => r.statusCode === 202).length, 1, `one of them recorded: ${keyed.map((r) => r.statusCode).join(',')}`)
  keyed.forEach((r, i) => {
    if (i === winner) return
    if (bodies[i] === bodies[winner]) {
      t.equal(r.statusCode, 200, 'the repeat finds it')
      t.equal(r.json().deliveryId, keyed[winner].json().deliveryId)
    } else {
      t.equal(r.statusCode, 409, 'the same key with another body')
      t.equal(r.json().code, 'CONFLICT')
    }
  })
  t.same(await statusCounts(app), { queued: N + 2 }, 'recorded once each')
  for (const r of results.filter((x) => x.statusCode === 202)) {
    t.ok(await app.queues.deliveries.getJob(r.json().deliveryId as string), 'each 202 has its job in Redis')
  }
})

t.test('steps of one dossier sent at once are recorded one per group, in order, and delivered in that order', async (t) => {
  const portal = await startPortal(t)
  const app = await build(t, { connectors: [portalInstance(portal.url)], env: FAST_ENV })
  const token = await tokenFor(app, ['system'], GRANTS, AGENCIES)
  t.equal((await post(app, token, '/v1/dossiers', dossier(1))).statusCode, 202)
  const results = await Promise.all(Array.from({ length: 8 }, async (_, i) =>
    await post(app, token, `/v1/dossiers/${dossierCode(1)}/progress`, step(4, { note: `step ${i}` }))))
  t.same(results.map((r) => r.statusCode), Array(8).fill(202))
  await waitFor(async () => (await statusCounts(app)).delivered === 9, 10_000, 'every step')
  const { rows } = await app.db.query<{ note: string }>(
    "SELECT payload->>'note' AS note FROM deliveries WHERE dossier_code = $1 AND service = 'dossier.progress' ORDER BY seq", [dossierCode(1)])
  t.same(portal.portal.received(dossierCode(1)).progress.map((p) => p.data.NoiDungXuLy), rows.map((r) => r.note), 'the portal got them in recorded order')
  t.same(portal.portal.duplicates(), [])
})

t.test('coalesce: one call per group; a failing group runs each call alone; calls with one key never share a group', async (t) => {
  const groups: number[][] = []
  let failNext = false
  const double = coalesce<number, number>(async (xs) => {
    groups.push(xs)
    if (failNext) { failNext = false; throw new Error('group failed') }
    return xs.map((x) => x * 2)
  }, async (x) => {
    if (x < 0) throw new Error(`refused ${x}`)
    return x * 2
  }, { keysOf: (x) => [String(Math.abs(x))], maxInFlight: 1 })

  t.same(await Promise.all([1, 2, 3].map(double)), [2, 4, 6])
  t.same(groups, [[1, 2, 3]], 'one group')
  failNext = true
  const mixed = await Promise.allSettled([4, -5, 6].map(double))
  t.same(mixed.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled'], 'alone, only the refused call fails')
  t.same(await Promise.all([7, 7, 8].map(double)), [14, 14, 16])
  t.same(groups.at(-1), [7, 8], 'the second call with key 7 waits for the next group (run alone)')
})

t.test('coalesce: a call waits while a group in flight holds one of its keys, and keeps its order per key', async (t) => {
  const groups: string[][] = []
  const run = coalesce<{ n: string, keys: string[] }, string>(async (xs) => {
    groups.push(xs.map((x) => x.n))
    return xs.map((x) => x.n)
  }, async (x) => {
    groups.push([x.n])
    return x.n
  }, { keysOf: (x) => x.keys, maxInFlight: 2 })
  const calls = [{ n: 'a', keys: ['x', 'k1'] }, { n: 'b', keys: ['y', 'k1'] }, { n: 'c', keys: ['x'] }, { n: 'd', keys: ['z'] }]
  t.same(await Promise.all(calls.map(run)), ['a', 'b', 'c', 'd'])
  t.same(groups, [['a', 'd'], ['b', 'c']], 'b and c wait for a (keys k1 and x), though a second group could run')
})

t.test('acceptDeliveries: one group statement answers earlier requests, conflicts, refusals and new ones, each its own', async (t) => {
  const app = await build(t, { env: FAST_ENV, workers: false })
  const input = (n: number, over: Partial<AcceptInput> = {}): AcceptInput => {
    const body = dossier(n)
    return {
      clientId: 'group-client',
      service: 'dossier.sync',
      dossierCode: dossierCode(n),
      status: 2,
      payload: body,
      idem: idempotencyOf(`group-key-${n}`, 'dossier.sync', dossierCode(n), body),
      ...over
    }
  }
  const first = await acceptDeliveries(app.db, [1, 2, 3, 4].map((n) => input(n)))
  t.same(first.map((r) => r instanceof Error ? r.message : r.kind), ['created', 'created', 'created', 'created'])

  const other = dossier(40)
  const results = await acceptDeliveries(app.db, [
    input(1), // the same request again
    input(2),
    { ...input(40), idem: { key: input(3).idem.key, bodyHash: idempotencyOf(undefined, 'dossier.sync', dossierCode(40), other).bodyHash } }, // key of 3, another body
    input(5), // new
    input(6, { service: 'dossier.progress', status: 4 }), // a step of an unknown dossier
    input(4, { status: 9, idem: { key: 'group-key-4b', bodyHash: 'b' } }), // 2 → 9 is not a transition
    input(7) // new
  ])
  const shown = results.map((r) => r instanceof Error ? (r as Error & { statusCode?: number }).statusCode : r.kind)
  t.same(shown, ['existing', 'existing', 409, 'created', 404, 409, 'created'])
  const ok = results as Accepted[]
  t.equal(ok[0].deliveryId, (first[0] as Accepted).deliveryId, 'the earlier delivery')
  t.equal(ok[1].deliveryId, (first[1] as Accepted).deliveryId)
  t.same({ dossierCode: ok[3].dossierCode, service: ok[3].service, status: ok[3].status }, { dossierCode: dossierCode(5), service: 'dossier.sync', status: 'queued' })
  const { rows } = await app.db.query<{ id: string, dossier_code: string }>('SELECT id, dossier_code FROM deliveries WHERE id = ANY($1::uuid[]) ORDER BY dossier_code', [[ok[3].deliveryId, ok[6].deliveryId]])
  t.same(rows, [{ id: ok[3].deliveryId, dossier_code: dossierCode(5) }, { id: ok[6].deliveryId, dossier_code: dossierCode(7) }], 'new ids are the rows recorded')
  t.same(await statusCounts(app), { queued: 6 }, 'nothing else recorded')
})
