import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { findBinaries, missingBinariesMessage, startLocalServices } from '../../src/dev/local-services.js'
import { processState } from '../../src/dev/process-tree.js'
import { createDvcqgSimulator } from '../../src/simulators/index.js'
import { verifyChain } from '../../src/audit/verify.js'
import { ADMIN, tokenFor, upstream } from '../helper.js'
import { AGENCIES, FAST_ENV, GRANTS, diagnose, dossier, dossierCode, portalInstance, statusCounts, waitFor } from '../deliveries/helper.js'

// Redis and PostgreSQL frozen (SIGSTOP: connections stay open, nothing answers — a network partition looks so)
// rather than killed. Private servers for this file: the suite's shared ones serve the other test files, which run
// in parallel.

const skip = missingBinariesMessage(findBinaries()) !== undefined ? 'redis-server or postgres not installed' : false

const CITIZEN = { personalId: '079203001234', fullName: 'Nguyễn Văn A', dateOfBirth: '2003-01-01', gender: 'male', nationality: 'VN', permanentAddress: { provinceCode: '79', communeCode: '26734', detail: '1 Lê Lợi' }, status: 'alive' }
/** DEPENDENCY_RETRY_AFTER_SECONDS by default. */
const RETRY_AFTER = '2'
/** What the rule promises: a frozen dependency is answered within this (DEPENDENCY_TIMEOUT_MS is 1 s by default). */
const DEADLINE_MS = 2000

let services: Awaited<ReturnType<typeof startLocalServices>>
let portal: ReturnType<typeof createDvcqgSimulator>
let app: Awaited<ReturnType<typeof buildApp>>
let base: string
let system: string
let auditor: string

/** Private Redis and PostgreSQL, the portal simulator, an upstream for lookups, and the gateway over them. */
async function start (t: Tap.Test): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lienthong-freeze-'))
  services = await startLocalServices({ dir, fast: true })
  const owned: { app?: typeof app, portal?: typeof portal } = {}
  // One teardown, in order: resume whatever is frozen, close the gateway, then the servers.
  t.teardown(async () => {
    services.signal('redis', 'SIGCONT')
    services.signal('postgres', 'SIGCONT')
    await owned.app?.close()
    await owned.portal?.close()
    await services.stop()
    await rm(dir, { recursive: true, force: true })
  })
  portal = owned.portal = createDvcqgSimulator()
  await portal.listen(0)
  const lookupsUpstream = await upstream(t, (up) => up.post('/lookup', async () => CITIZEN))
  app = await buildApp(loadConfig({
    ...FAST_ENV,
    REDIS_URL: services.redisUrl,
    DATABASE_URL: services.databaseUrl,
    DATA_DIR: join(dir, 'data'),
    QUEUE_PREFIX: 'freeze',
    LOG_LEVEL: 'silent',
    SECRET_HASH_COST: '1024',
    LIENTHONG_ADMIN_ID: ADMIN.id,
    LIENTHONG_ADMIN_SECRET: ADMIN.secret,
    CONNECTORS_FILE: 'test/fixtures/no-connectors.json',
    AUDIT_KEY: 'freeze-test-key-0123456789',
    // lookups run from the client cache while PostgreSQL is frozen, so the audit trail's own policy is what answers
    CLIENT_CACHE_TTL_MS: '600000',
    AUDIT_BUFFER_MAX: '3',
    AUDIT_BUFFER_HEADROOM: '2'
  }), {
    workers: true,
    connectors: [
      portalInstance(portal.url as string),
      { id: 'population', type: 'rest-json', services: ['citizen.lookup'], provinces: null, enabled: true, config: { baseUrl: lookupsUpstream, operations: { 'citizen.lookup': { path: '/lookup' } } } }
    ]
  })
  owned.app = app
  base = await app.listen({ port: 0, host: '127.0.0.1' })
  system = await tokenFor(app, ['system'], [...GRANTS, 'citizen.lookup'], AGENCIES)
  auditor = await tokenFor(app, ['auditor'])
}

interface Answer { status: number, retryAfter: string | null, type: string | null, body: Record<string, unknown> | undefined, ms: number }

/** One real HTTP exchange; a client-side limit of 15 s, so that a hang fails the test instead of stalling it. */
async function call (method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const started = performance.now()
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(15_000)
  })
  const text = await res.text()
  return { status: res.status, retryAfter: res.headers.get('retry-after'), type: res.headers.get('content-type'), body: text !== '' ? JSON.parse(text) : undefined, ms: performance.now() - started }
}

const sync = async (n: number, key?: string): Promise<Answer> =>
  await call('POST', '/v1/dossiers', system, dossier(n), { 'x-purpose': '1.000894', ...(key !== undefined ? { 'idempotency-key': key } : {}) })
const lookup = async (requestId: string): Promise<Answer> =>
  await call('POST', '/v1/lookups/citizen.lookup', system, { personalId: '079203001234' }, { 'x-purpose': '1.000894', 'x-request-id': requestId })

/** problem+json 503 SERVICE_UNAVAILABLE with Retry-After, within the deadline. */
function unavailable (t: Tap.Test, a: Answer, what: string): void {
  t.equal(a.status, 503, `${what}: 503`)
  t.match(a.type, /^application\/problem\+json/, `${what}: problem+json`)
  t.match(a.body, { status: 503, code: 'SERVICE_UNAVAILABLE' }, what)
  t.equal(a.retryAfter, RETRY_AFTER, `${what}: Retry-After`)
  t.ok(a.ms < DEADLINE_MS, `${what}: answered in ${Math.round(a.ms)} ms`)
}

/** The state letters of the processes once all have taken the signal (`T`: stopped), or as they are after 5 s. */
async function stopped (pids: number[]): Promise<string[]> {
  const states = (): string[] => [...new Set(pids.map((pid) => processState(pid) ?? 'gone'))]
  for (let i = 0; i < 250 && states().some((s) => s !== 'T'); i++) await new Promise((resolve) => setTimeout(resolve, 20))
  return states()
}

/** Repeats `attempt` until it is accepted (200 or 202); how long that took, in ms. */
async function recovered (attempt: () => Promise<Answer>, what: string): Promise<{ ms: number, last: Answer }> {
  const started = performance.now()
  for (;;) {
    const last = await attempt()
    if (last.status === 200 || last.status === 202) return { ms: performance.now() - started, last }
    if (performance.now() - started > 20_000) throw new Error(`${what}: not recovered: ${last.status} ${JSON.stringify(last.body)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Every dossier in `codes` delivered, each applied exactly once by the portal. */
async function deliveredOnce (t: Tap.Test, numbers: number[]): Promise<void> {
  await app.queues.reconcile() // what was recorded but not queued (grace 0 here) is queued now
  await waitFor(async () => (await statusCounts(app)).delivered === numbers.length, 30_000, `${numbers.length} delivered`)
    .catch(async (err) => { t.comment(await diagnose(app)); throw err })
  t.same(await statusCounts(app), { delivered: numbers.length }, 'every delivery recorded is delivered, none left behind')
  t.same(numbers.filter((n) => portal.portal.countApplied(dossierCode(n)) !== 1), [], 'each applied exactly once')
  t.same(portal.portal.duplicates(), [])
}

t.test('frozen dependencies (SIGSTOP) of a gateway on private servers', { skip }, async (t) => {
  await start(t)

  await t.test('Redis frozen: dossiers answered 503 within the deadline, readiness down; recovery in seconds, nothing lost or doubled', async (t) => {
    t.equal((await sync(1)).status, 202)
    const frozen = services.signal('redis', 'SIGSTOP')
    try {
      t.same(await stopped(frozen), ['T'], 'every process of the Redis server is stopped')
      unavailable(t, await sync(2, 'freeze-redis-2'), 'a dossier (recorded, not queued)')
      unavailable(t, await sync(3), 'another one, without a key')
      const ready = await call('GET', '/health/ready')
      t.equal(ready.status, 503)
      t.match(ready.body, { status: 'not-ready', checks: { redis: 'down', postgres: 'up' } })
      t.ok(ready.ms < DEADLINE_MS, `readiness answered in ${Math.round(ready.ms)} ms`)
    } finally {
      services.signal('redis', 'SIGCONT')
    }
    const back = await recovered(async () => await sync(4), 'a new dossier')
    t.ok(back.ms < 10_000, `accepted again ${Math.round(back.ms)} ms after SIGCONT`)
    const repeated = await sync(2, 'freeze-redis-2')
    t.equal(repeated.status, 200, 'the delivery recorded during the freeze is found by its key')
    await deliveredOnce(t, [1, 2, 3, 4])
  })

  await t.test('PostgreSQL frozen (every process of the cluster): 503 within the deadline, lookups fail closed per the audit policy, recovery in seconds, nothing lost or doubled', async (t) => {
    // The buffer is tiny here (AUDIT_BUFFER_MAX 3): the deliveries of the Redis test may still hold it full for a moment.
    await app.auditTrail.writer.flush()
    const warm = await recovered(async () => await lookup('warm-up'), 'a lookup before the freeze')
    t.equal(warm.last.status, 200, 'a lookup before the freeze')
    await app.auditTrail.writer.flush()
    const frozen = services.signal('postgres', 'SIGSTOP')
    const answered: string[] = []
    try {
      t.ok(frozen.length >= 5, `the postmaster, its background processes and backends (${frozen.length})`)
      t.same(await stopped(frozen), ['T'], 'every one stopped')
      unavailable(t, await sync(5, 'freeze-pg-5'), 'a dossier')
      const ready = await call('GET', '/health/ready')
      t.equal(ready.status, 503)
      t.match(ready.body, { status: 'not-ready', checks: { postgres: 'down', redis: 'up' } })
      t.ok(ready.ms < DEADLINE_MS, `readiness answered in ${Math.round(ready.ms)} ms`)
      unavailable(t, await call('GET', '/v1/audit/events?limit=1', auditor), 'the audit trail itself')
      // Lookups keep being answered while the audit buffer has room, then are refused before any national system
      // is asked (docs/audit.md §2); none waits on the database.
      const outcomes: number[] = []
      for (let i = 0; i < 6; i++) {
        const a = await lookup(`during-${i}`)
        outcomes.push(a.status)
        t.ok(a.ms < DEADLINE_MS, `lookup ${i}: ${a.status} in ${Math.round(a.ms)} ms`)
        if (a.status === 200) answered.push(`during-${i}`)
        else unavailable(t, a, `lookup ${i}`)
      }
      t.equal(outcomes[0], 200, 'answered while the buffer has room')
      t.equal(outcomes[5], 503, 'refused once it is full: fail closed')
    } finally {
      services.signal('postgres', 'SIGCONT')
    }
    const back = await recovered(async () => await sync(6), 'a new dossier')
    t.ok(back.ms < 10_000, `accepted again ${Math.round(back.ms)} ms after SIGCONT`)
    const repeated = await recovered(async () => await sync(5, 'freeze-pg-5'), 'the dossier refused during the freeze')
    t.ok([200, 202].includes(repeated.last.status), 'found (its statement committed after the freeze) or recorded now')
    await deliveredOnce(t, [1, 2, 3, 4, 5, 6])

    await app.auditTrail.writer.flush()
    const { rows } = await app.db.query<{ request_id: string, n: number }>("SELECT request_id, count(*)::int AS n FROM audit_events WHERE kind = 'lookup' GROUP BY request_id")
    const inTrail = new Map(rows.map((r) => [r.request_id, r.n]))
    t.same(answered.filter((id) => inTrail.get(id) !== 1), [], `every lookup answered during the freeze is in the trail once (${answered.length})`)
    t.match(await verifyChain(app.db), { ok: true })
  })
})
