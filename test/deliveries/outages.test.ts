import t from 'tap'
import type { Redis } from 'ioredis'
import { build, tokenFor } from '../helper.js'
import { FAST_ENV, AGENCIES, GRANTS, diagnose, dossier, dossierCode, portalInstance, post, startPortal, statusCounts, step, waitFor } from './helper.js'

/** Survives a portal outage of a few seconds: many attempts, short waits, a real circuit breaker. */
const OUTAGE_CONFIG = {
  delivery: { attempts: 40, baseDelayMs: 50, maxDelayMs: 800 },
  runtime: { headersTimeoutMs: 2000, bodyTimeoutMs: 2000, deadlineMs: 3000, breaker: { volumeThreshold: 20, resetTimeoutMs: 300, errorThresholdPercentage: 50 } }
}

async function attempted (db: { query: (q: string) => Promise<{ rows: Array<{ n: number }> }> }): Promise<number> {
  const { rows } = await db.query('SELECT count(DISTINCT delivery_id)::int AS n FROM delivery_attempts')
  return rows[0].n
}

t.test('portal down during a burst of 500 dossiers → all delivered once after it returns', async (t) => {
  const portal = await startPortal(t)
  // a burst of 500 from one client: above the default per-client rate limit of dossier.sync, which is not tested here
  const app = await build(t, { connectors: [portalInstance(portal.url, OUTAGE_CONFIG)], env: { ...FAST_ENV, WORKER_CONCURRENCY: '64', RATE_LIMIT_PER_SECOND: '100000' } })
  const token = await tokenFor(app, ['system'], GRANTS, AGENCIES)
  portal.faults.set({ down: true })
  const codes = Array.from({ length: 500 }, (_, i) => i + 1)
  for (let i = 0; i < codes.length; i += 50) {
    const res = await Promise.all(codes.slice(i, i + 50).map(async (n) => await post(app, token, '/v1/dossiers', dossier(n))))
    t.ok(res.every((r) => r.statusCode === 202), `batch ${i / 50 + 1} accepted`)
  }
  await waitFor(async () => await attempted(app.db) >= 100, 20_000, 'attempts against the dead portal')
  const during = await statusCounts(app)
  t.notOk(during.delivered === 500, 'nothing can be delivered while the portal is down')
  t.equal(portal.portal.store.size, 0)
  portal.faults.reset()
  await waitFor(async () => (await statusCounts(app)).delivered === 500, 60_000, 'all 500 delivered')
    .catch(async (err) => { t.comment(await diagnose(app)); throw err })
  t.same(await statusCounts(app), { delivered: 500 })
  t.ok(codes.every((n) => portal.portal.countApplied(dossierCode(n)) === 1), 'each dossier applied exactly once')
  t.same(portal.portal.duplicates(), [])
  t.equal(portal.portal.store.size, 500)
})

t.test('Redis flushed while deliveries are pending → the reconciler re-queues them, nothing lost', async (t) => {
  const portal = await startPortal(t)
  const app = await build(t, {
    connectors: [portalInstance(portal.url, OUTAGE_CONFIG)],
    env: { ...FAST_ENV, DELIVERY_RECONCILE_INTERVAL_MS: '300', DELIVERY_RECONCILE_GRACE_MS: '200' }
  })
  const token = await tokenFor(app, ['system'], GRANTS, AGENCIES)
  portal.faults.set({ down: true })
  for (let n = 1; n <= 40; n++) t.equal((await post(app, token, '/v1/dossiers', dossier(n))).statusCode, 202)
  for (let n = 1; n <= 40; n++) t.equal((await post(app, token, `/v1/dossiers/${dossierCode(n)}/progress`, step(4))).statusCode, 202)
  await waitFor(async () => await attempted(app.db) >= 20, 20_000, 'pending attempts')

  // Only this test's keys (other test files share the Redis server), all in one DEL, as a flush would.
  const redis = app.redis.client as Redis
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${app.config.queuePrefix}:*`, 'COUNT', 1000)
    cursor = next
    keys.push(...found)
  } while (cursor !== '0')
  const deleted = await redis.del(...keys)
  t.ok(deleted > 0, `deleted the ${deleted} keys of the queue`)

  portal.faults.reset()
  await waitFor(async () => (await statusCounts(app)).delivered === 80, 60_000, 'all 80 delivered after the flush')
    .catch(async (err) => { t.comment(await diagnose(app)); throw err })
  t.same(await statusCounts(app), { delivered: 80 })
  for (let n = 1; n <= 40; n++) {
    const got = portal.portal.received(dossierCode(n))
    t.equal(got.dossiers.length, 1)
    t.equal(got.progress.length, 1)
  }
  t.same(portal.portal.duplicates(), [])
})
