import t from 'tap'
import type { ChildProcess } from 'node:child_process'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.js'
import { startWorkerProcess } from '../worker-process.js'
import { startPortal, waitFor } from '../deliveries/helper.js'
import { EVENTS_ENV, parties, portalFeedInstance, submission, subscribe, subscriber, type Subscriber } from './helper.js'

const PROVINCES = ['01', '04', '08', '11', '12', '14', '15', '19', '20', '22', '24', '25', '31', '33', '37', '38', '40', '42', '44', '46', '48', '51', '52', '56', '66', '68', '75', '79', '80', '82', '86', '91', '92', '96']

/** A real gateway worker process (pullers, lanes, sweeper) on the test's database and Redis prefix. */
async function startGatewayWorker (t: Tap.Test, app: FastifyInstance): Promise<{ child: ChildProcess, exited: Promise<unknown> }> {
  return await startWorkerProcess(t, {
    ...EVENTS_ENV,
    DATABASE_URL: app.config.databaseUrl,
    REDIS_URL: app.config.redisUrl,
    QUEUE_PREFIX: app.config.queuePrefix,
    LOG_LEVEL: 'info',
    EVENTS_DELIVERY_TIMEOUT_MS: '1000',
    EVENTS_BATCH: '16',
    CONNECTORS_FILE: 'test/fixtures/no-connectors.json',
    // the audit key of the test gateway: subject hashes stay comparable
    AUDIT_KEY: 'events-sigkill-audit-key-0123456789'
  })
}

t.setTimeout(300_000)

t.test('the gateway killed with SIGKILL mid-fan-out: nothing lost, duplicates only with the same webhook-id', async (t) => {
  const portal = await startPortal(t)
  const app = await build(t, { connectors: [portalFeedInstance(portal.url)], workers: false, env: { ...EVENTS_ENV, AUDIT_KEY: 'events-sigkill-audit-key-0123456789' } })
  const { admin, clientId } = await parties(app)
  // 34 provincial systems subscribed to every online submission; each answers after a little while
  const subs: Subscriber[] = []
  for (const province of PROVINCES) {
    const s = await subscriber(t)
    subs.push(s)
    const res = await subscribe(app, admin, { clientId, eventTypes: ['dossier.submitted-online'], callbackUrl: s.url, purpose: `Giám sát hồ sơ trực tuyến, tỉnh ${province}`, retryPolicy: { attempts: 50, baseDelayMs: 20, maxDelayMs: 200 } })
    t.equal(res.statusCode, 201)
  }
  const N = 60
  for (let i = 1; i <= N; i++) portal.portal.feed.submitOnline(submission(i))
  const total = N * PROVINCES.length
  const received = (): number => subs.reduce((sum, s) => sum + s.received.length, 0)

  const first = await startGatewayWorker(t, app)
  await waitFor(() => received() >= total / 3, 60_000, 'a third of the fan-out')
  first.child.kill('SIGKILL')
  await first.exited
  t.equal(first.child.signalCode, 'SIGKILL')
  const atKill = received()
  t.ok(atKill < total, `killed mid-fan-out: ${atKill} of ${total} received`)
  const { rows: inFlight } = await app.db.query<{ n: number }>("SELECT count(*)::int AS n FROM event_deliveries WHERE status <> 'delivered'")
  t.ok(inFlight[0].n > 0, `${inFlight[0].n} deliveries left undelivered by the killed process`)

  await startGatewayWorker(t, app)
  await waitFor(async () => (await app.db.query("SELECT count(*)::int AS n FROM event_deliveries WHERE status = 'delivered'")).rows[0].n === total, 90_000, 'every delivery after the restart')

  t.equal((await app.db.query("SELECT count(*)::int AS n FROM events WHERE source = 'portal-feed'")).rows[0].n, N, 'each change of the portal recorded once')
  const expected = new Set((await app.db.query<{ id: string }>("SELECT id FROM events WHERE source = 'portal-feed'")).rows.map((r) => r.id))
  let duplicates = 0
  for (const s of subs) {
    const byId = new Map<string, string>()
    for (const r of s.received) {
      const id = r.headers['webhook-id']
      const seen = byId.get(id)
      if (seen !== undefined) {
        duplicates++
        t.equal(r.body, seen, 'a duplicate is the same message under the same webhook-id')
      }
      byId.set(id, r.body)
      t.equal(JSON.parse(r.body).id, id, 'webhook-id is the event id')
    }
    t.same(new Set(byId.keys()), expected, 'every event reached this subscriber')
  }
  t.comment(`${duplicates} duplicates after the kill (same webhook-id), ${atKill} of ${total} received before it`)
})
