import t from 'tap'
import type { ChildProcess } from 'node:child_process'
import type { FastifyInstance } from 'fastify'
import { build, tokenFor } from '../helper.js'
import { startWorkerProcess } from '../worker-process.js'
import { diagnose, dossier, dossierCode, FAST_ENV, GRANTS, portalInstance, post, startPortal, statusCounts, step, waitFor } from './helper.js'

/**
 * A worker-only process (src/worker.ts) against the test's PostgreSQL database and Redis prefix, run through
 * the TypeScript loader tap runs this file with.
 */
async function startWorker (t: Tap.Test, app: FastifyInstance): Promise<{ child: ChildProcess, exited: Promise<unknown> }> {
  return await startWorkerProcess(t, {
    DATABASE_URL: app.config.databaseUrl,
    REDIS_URL: app.config.redisUrl,
    QUEUE_PREFIX: app.config.queuePrefix,
    LOG_LEVEL: 'info',
    WORKER_CONCURRENCY: '8',
    DELIVERY_LOCK_MS: '2000',
    DELIVERY_ORDER_WAIT_MS: '50',
    CONNECTORS_FILE: 'test/fixtures/no-connectors.json',
    MAX_EVENT_LOOP_DELAY_MS: '0'
  })
}

// Two worker processes start per test; on a loaded machine that takes a while.
t.setTimeout(300_000)

t.test('worker killed with SIGKILL after the portal applied and before it recorded it → delivered exactly once after restart', async (t) => {
  const portal = await startPortal(t)
  const app = await build(t, { connectors: [portalInstance(portal.url)], workers: false, env: FAST_ENV })
  const token = await tokenFor(app, ['system'], GRANTS)
  const N = 10
  for (let n = 1; n <= N; n++) t.equal((await post(app, token, '/v1/dossiers', dossier(n))).statusCode, 202)

  const { child: first, exited } = await startWorker(t, app)
  await waitFor(async () => (await statusCounts(app)).delivered === N, 30_000, 'the dossiers')
  t.equal(portal.portal.store.size, N)

  // Updates and steps; the worker dies the instant the portal has applied the third of them, before any answer.
  let applied = 0
  const store = portal.portal.store
  const apply = store.apply.bind(store)
  store.apply = (entry) => {
    const result = apply(entry)
    if (++applied === 3) first.kill('SIGKILL')
    return result
  }
  for (let n = 1; n <= N; n++) {
    t.equal((await post(app, token, '/v1/dossiers', dossier(n, { status: 4, summary: 'in processing' }))).statusCode, 202)
    t.equal((await post(app, token, `/v1/dossiers/${dossierCode(n)}/progress`, step(4))).statusCode, 202)
  }
  await exited
  t.equal(first.signalCode, 'SIGKILL')
  const { rows: inDoubt } = await app.db.query("SELECT count(*)::int AS n FROM deliveries WHERE status = 'delivering' AND in_doubt")
  t.ok(inDoubt[0].n >= 1, `${inDoubt[0].n as number} deliveries applied by the portal but not recorded as delivered`)
  const appliedBeforeRestart = store.size

  await startWorker(t, app)
  await waitFor(async () => (await statusCounts(app)).delivered === 3 * N, 60_000, 'every delivery after the restart')
    .catch(async (err) => { t.comment(await diagnose(app)); throw err })

  t.same(await statusCounts(app), { delivered: 3 * N })
  for (let n = 1; n <= N; n++) {
    t.same(portal.portal.appliedVersions(dossierCode(n)).map((v) => v.count), [1, 1], `${dossierCode(n)}: each version applied once`)
    t.equal(portal.portal.countProgress(dossierCode(n)), 1, `${dossierCode(n)}: the step applied once`)
  }
  t.same(portal.portal.duplicates(), [])
  t.equal(store.size, 3 * N)
  t.ok(appliedBeforeRestart > N, `the portal had applied ${appliedBeforeRestart - N} items of the second round before the restart`)
  const { rows } = await app.db.query('SELECT a.outcome, count(*)::int AS n FROM delivery_attempts a GROUP BY a.outcome')
  const outcomes = Object.fromEntries(rows.map((r: { outcome: string, n: number }) => [r.outcome, r.n]))
  t.ok(outcomes['already-applied'] >= 1, `found applied after the crash: ${JSON.stringify(outcomes)}`)
  t.ok(outcomes.interrupted >= outcomes['already-applied'], 'the attempts cut by the crash are recorded as interrupted')
})

t.test('SIGTERM: the worker process finishes the delivery in hand, then exits', async (t) => {
  const portal = await startPortal(t)
  const app = await build(t, { connectors: [portalInstance(portal.url)], workers: false, env: FAST_ENV })
  const token = await tokenFor(app, ['system'], GRANTS)
  const { child, exited } = await startWorker(t, app)
  portal.faults.set({ latencyMs: 1000 })
  const res = await post(app, token, '/v1/dossiers', dossier(1))
  await waitFor(async () => (await app.db.query('SELECT 1 FROM delivery_attempts WHERE outcome IS NULL')).rows.length === 1, 10_000, 'a call in flight')
  child.kill('SIGTERM')
  await exited
  t.equal(child.exitCode, 0, 'clean exit')
  const { rows } = await app.db.query('SELECT status FROM deliveries WHERE id = $1', [res.json().deliveryId])
  t.equal(rows[0].status, 'delivered', 'the job in hand was finished before exit')
  t.equal(portal.portal.countApplied(dossierCode(1)), 1)
})
