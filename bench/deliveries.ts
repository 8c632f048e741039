/**
 * Benchmark of dossier deliveries (issue 3): dossiers accepted per second (HTTP, durable: PostgreSQL commit +
 * BullMQ job), then delivered per second to the healthy portal simulator, then steps accepted while the workers
 * deliver; with counts proving none lost or doubled. In-process; each phase is bounded by BENCH_MAX_MS.
 *
 *   npm run build && node dist/bench/deliveries.js
 *
 * REDIS_URL + DATABASE_URL: use those servers (a fresh database is created, then dropped); otherwise private
 * ones are started under a temporary folder (with fsync on). BENCH_DELIVERIES (default 5000) dossiers,
 * BENCH_CONCURRENCY (default 64) requests in flight, WORKER_CONCURRENCY (default 64), DATABASE_POOL_SIZE (default 20;
 * the gateway's own default is 10: 1,163–1,279 against 1,472 delivered/s in one series). BENCH_AUDIT=off replaces the
 * PostgreSQL audit trail with a no-op sink (to see its share). BENCH_WARMUP (default 10000) dossiers go through the
 * whole path first and are then forgotten (`warmUp`); BENCH_WARMUP=0 measures a cold process.
 *
 * The HTTP load comes from a child process (this file with `--load`), as autocannon is apart from the gateway in
 * the lookups scenario: the CPU columns (`cpuMsPerItem`) are then this process's alone — gateway, workers and
 * portal simulator — and the load generator's is given apart (`loadCpuMsPerItem`). The child sends prepared
 * requests on plain keep-alive sockets (`sendRaw`); BENCH_CLIENT=undici uses an undici Pool instead (three to four
 * times the client CPU). BENCH_LOAD=inprocess sends from this process with undici (how the numbers before 2026-12
 * were taken: the generator shares the gateway's core).
 * With private servers (no REDIS_URL / DATABASE_URL), the CPU of PostgreSQL (postmaster and backends, reaped ones
 * included) and of Redis per item is given too (`serversCpuMsPerItem`), so that every process of the machine is
 * counted: gateway, PostgreSQL, Redis, load generator.
 *
 * BENCH_PHASES=accept stops after the acceptance phase (checking that every dossier was recorded once), for CPU
 * profiles of acceptance alone: `node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/deliveries.js`, then
 * `node dist/bench/profile-summary.js /tmp/prof/*.cpuprofile 25 <acceptOnly.fromUs>`.
 * Prints one JSON object, then a one-line markdown summary.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import pg from 'pg'
import { Pool } from 'undici'
import { buildApp } from '../src/app.js'
import type { FastifyInstance } from 'fastify'
import { loadConfig, type Config } from '../src/config.js'
import { startLocalServices, type LocalServices } from '../src/dev/local-services.js'
import { createDvcqgSimulator, type DvcqgSimulator } from '../src/simulators/index.js'
import { serversCpuMs } from './lib/server-cpu.js'

const N = Number(process.env.BENCH_DELIVERIES ?? 5000)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64)
const MAX_MS = Number(process.env.BENCH_MAX_MS ?? 120_000)
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10_000)
const PHASES = process.env.BENCH_PHASES ?? 'all'
let privateServers = false
/** Dossier code `i` of the measured run (received in January 2025) or of the warm-up (`month` 2412: December 2024). */
const code = (i: number, month = '2501'): string => `000.00.01.H22-${month}${String(1 + Math.floor(i / 9999)).padStart(2, '0')}-${String(i % 9999 + 1).padStart(4, '0')}`

const dossier = (i: number, month?: string): Record<string, unknown> => ({
  code: code(i, month),
  procedureCode: '1.000894.000.00.00.H22',
  procedureName: 'Đăng ký kết hôn',
  fieldCode: 'G09-HT01',
  agencyCode: '000.00.01.H22',
  applicant: { name: 'Nguyễn Văn An', personalId: '001090012345' },
  receivedAt: '2025-07-15T08:30:00+07:00',
  dueAt: '2025-07-18T17:00:00+07:00',
  status: 2,
  documents: [{ name: 'Tờ khai' }],
  fees: []
})
const step = (i: number): Record<string, unknown> =>
  ({ handler: 'Trần Thị Bình', role: 'Công chức', at: '2025-07-15T09:00:00+07:00', department: 'Một cửa', status: 4, note: `bước ${i}` })
const dossiers = (n: number, month?: string): Item[] => Array.from({ length: n }, (_, i) => ({ path: '/v1/dossiers', body: dossier(i, month) }))
const steps = (n: number, month?: string): Item[] => Array.from({ length: n }, (_, i) => ({ path: `/v1/dossiers/${code(i, month)}/progress`, body: step(i) }))

interface Item { path: string, body?: unknown }
interface Sent { ms: number, statuses: Record<number, number>, loadCpuMsPerItem?: number, firstRefusal?: string }

async function sendFrom (pool: Pool, token: string, items: Item[]): Promise<Sent> {
  const statuses: Record<number, number> = {}
  let firstRefusal: string | undefined
  let next = 0
  const start = performance.now()
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length && performance.now() - start < MAX_MS) {
      const item = items[next++]
      const res = item.body === undefined
        ? await pool.request({ method: 'GET', path: item.path })
        : await pool.request({ method: 'POST', path: item.path, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-purpose': '1.000894' }, body: JSON.stringify(item.body) })
      if (res.statusCode >= 400 && firstRefusal === undefined) firstRefusal = (await res.body.text()).slice(0, 500)
      else await res.body.dump()
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
    }
  }))
  return { ms: performance.now() - start, statuses, ...(firstRefusal !== undefined ? { firstRefusal } : {}) }
}

/** The bytes of each request (HTTP/1.1, keep-alive), made before the clock starts. */
function rawRequests (url: string, token: string, items: Item[]): Buffer[] {
  const host = new URL(url).host
  return items.map((item) => {
    if (item.body === undefined) return Buffer.from(`GET ${item.path} HTTP/1.1\r\nhost: ${host}\r\n\r\n`)
    const body = Buffer.from(JSON.stringify(item.body))
    return Buffer.concat([Buffer.from(`POST ${item.path} HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer ${token}\r\n` +
      `x-purpose: 1.000894\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`), body])
  })
}

/**
 * The lean client (default): CONCURRENCY keep-alive sockets, each writing one prepared request and reading its
 * answer (status line, content-length) before the next, as autocannon does: a fraction of undici's CPU per
 * request, which on a 2-core machine is left to the gateway and its servers.
 */
async function sendRaw (url: string, requests: Buffer[]): Promise<Sent> {
  const { hostname, port } = new URL(url)
  const statuses: Record<number, number> = {}
  let next = 0
  const start = performance.now()
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, requests.length) }, async () => {
    const socket = connect({ host: hostname, port: Number(port), noDelay: true })
    await once(socket, 'connect')
    let buf: Buffer = Buffer.alloc(0)
    let answered: (() => void) | undefined
    let status = 0
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk])
      const end = buf.indexOf('\r\n\r\n')
      if (end < 0) return
      const head = buf.subarray(0, end).toString('latin1')
      const length = /\r\ncontent-length: *(\d+)/i.exec(head)
      if (length === null) throw new Error(`answer without content-length: ${head}`)
      const total = end + 4 + Number(length[1])
      if (buf.length < total) return
      if (buf.length > total) throw new Error('more bytes than one answer')
      status = Number(head.slice(9, 12))
      buf = Buffer.alloc(0)
      answered?.()
    })
    while (next < requests.length && performance.now() - start < MAX_MS) {
      const done = new Promise<void>((resolve) => { answered = resolve })
      socket.write(requests[next++])
      await done
      statuses[status] = (statuses[status] ?? 0) + 1
    }
    socket.destroy()
  }))
  return { ms: performance.now() - start, statuses }
}

/**
 * `--load`: the load generator child. Reads { url, token, items } on stdin, answers `Sent` on stdout.
 * BENCH_CLIENT=undici sends with an undici Pool instead of the lean client (how the numbers before 2026-12-04
 * evening were taken: about 0.3–0.45 ms of CPU per request instead of about 0.1–0.15).
 */
async function loadChild (): Promise<void> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  const { url, token, items } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { url: string, token: string, items: Item[] }
  const undici = process.env.BENCH_CLIENT === 'undici'
  const pool = undici ? new Pool(url, { connections: CONCURRENCY }) : undefined
  const requests = undici ? [] : rawRequests(url, token, items)
  const cpu = process.cpuUsage()
  const sent = pool !== undefined ? await sendFrom(pool, token, items) : await sendRaw(url, requests)
  const used = process.cpuUsage(cpu)
  await pool?.close()
  process.stdout.write(JSON.stringify({ ...sent, loadCpuMsPerItem: Math.round((used.user + used.system) / items.length / 10) / 100 }))
}

/** Sends `items` from a child process (default) or from this one (BENCH_LOAD=inprocess). */
async function send (pool: Pool, url: string, token: string, items: Item[]): Promise<Sent> {
  if (process.env.BENCH_LOAD === 'inprocess') return await sendFrom(pool, token, items)
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--load'], { stdio: ['pipe', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  child.stdin.end(JSON.stringify({ url, token, items }))
  const code = await exited
  if (code !== 0) throw new Error(`load generator exited with ${String(code)}`)
  return JSON.parse(out) as Sent
}

/** Commands Redis ran and transactions PostgreSQL committed (in the bench database) so far: round trips per item. */
async function serverOps (redis: Redis, db: pg.Pool): Promise<{ redisCommands: number, pgCommits: number }> {
  const info = await redis.info('commandstats')
  const redisCommands = [...info.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0)
  const pgCommits = await count(db, 'SELECT xact_commit::int AS n FROM pg_stat_database WHERE datname = current_database()')
  return { redisCommands, pgCommits }
}

const opsPerItem = (from: { redisCommands: number, pgCommits: number }, to: { redisCommands: number, pgCommits: number }, n: number): { redisCommands: number, pgCommits: number } =>
  ({ redisCommands: Math.round((to.redisCommands - from.redisCommands) / n * 100) / 100, pgCommits: Math.round((to.pgCommits - from.pgCommits) / n * 100) / 100 })

async function count (db: pg.Pool, sql: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(sql)
  return rows[0].n
}

const delivered = async (db: pg.Pool): Promise<number> => await count(db, "SELECT count(*)::int AS n FROM deliveries WHERE status = 'delivered'")

async function until (db: pg.Pool, target: number, since: number): Promise<number> {
  while (await delivered(db) < target && performance.now() - since < MAX_MS) await new Promise((resolve) => setTimeout(resolve, 25))
  return performance.now() - since
}

const perSecond = (n: number, ms: number): number => Math.round(n / ms * 1000)
/** CPU time of this process (gateway, workers and simulator together) per item since `from`, in ms. */
const cpuPerItem = (from: NodeJS.CpuUsage, n: number): number => {
  const d = process.cpuUsage(from)
  return Math.round((d.user + d.system) / n / 10) / 100
}
/** CPU time of the private PostgreSQL and Redis per item since `from`, in ms (undefined with servers of the machine). */
const serversPerItem = (from: { postgres: number, redis: number }, n: number): { postgres: number, redis: number } | undefined => {
  if (!privateServers) return undefined
  const now = serversCpuMs()
  return { postgres: Math.round((now.postgres - from.postgres) / n * 100) / 100, redis: Math.round((now.redis - from.redis) / n * 100) / 100 }
}

async function main (): Promise<void> {
  let services: LocalServices | undefined
  let dir: string | undefined
  let redisUrl = process.env.REDIS_URL
  let adminUrl = process.env.DATABASE_URL
  if (redisUrl === undefined || adminUrl === undefined) {
    dir = await mkdtemp(join(tmpdir(), 'lienthong-bench-'))
    services = await startLocalServices({ dir })
    privateServers = true
    redisUrl = services.redisUrl
    adminUrl = services.databaseUrl
  }
  const dbName = `bench_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${dbName}`)
  const dbUrl = new URL(adminUrl)
  dbUrl.pathname = `/${dbName}`

  const sim = createDvcqgSimulator()
  const simUrl = await sim.listen(0)
  const config = loadConfig({
    REDIS_URL: redisUrl,
    DATABASE_URL: dbUrl.toString(),
    DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? '20',
    QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'warn',
    SECRET_HASH_COST: '1024',
    // the per-client rate limit of the dossier routes is checked on every request, but set high enough not to refuse
    RATE_LIMIT_PER_SECOND: '1000000',
    WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY ?? '64',
    CONNECTORS_FILE: 'test/fixtures/no-connectors.json'
  })
  const instance = {
    id: 'dvcqg-bench',
    type: 'dvcqg',
    services: ['dossier.sync', 'dossier.progress'],
    provinces: null,
    enabled: true,
    config: { baseUrl: simUrl, username: 'lienthong', password: 'lienthong-sim', dstcode: 'G22', agencyCode: '000.00.01.H22', runtime: { connections: 128 } }
  }

  const noAudit = process.env.BENCH_AUDIT === 'off' ? { auditSink: { accepting: () => true, emit: () => {} } } : {}
  const api = await buildApp(config, { workers: false, connectors: [instance], ...noAudit })
  const apiUrl = await api.listen({ port: 0, host: '127.0.0.1' })
  await api.clients.create({ id: 'bench-system', name: 'bench', roles: ['system'], grants: ['dossier.sync', 'dossier.progress'], agencies: ['000.00.01.H22'] })
  const token = api.tokens.issue((await api.clients.get('bench-system'))!).accessToken
  const http = new Pool(apiUrl, { connections: CONCURRENCY })

  await warmUp(api, sim, config, noAudit, async (items) => await send(http, apiUrl, token, items))

  // 0. the machine's baseline: the cheapest route of the same server, same client
  let servers = serversCpuMs()
  let cpu = process.cpuUsage()
  const baseline = await send(http, apiUrl, token, Array.from({ length: N }, () => ({ path: '/health/live' })))
  const baselineCpu = cpuPerItem(cpu, N)
  const baselineServersCpu = serversPerItem(servers, N)

  // 1. accept only (no worker running)
  // V8's profile clock and process.hrtime are both CLOCK_MONOTONIC: profile-summary's `fromUs`
  const acceptFromUs = Number(process.hrtime.bigint() / 1000n)
  const stats = new Redis(redisUrl)
  const ops = await serverOps(stats, api.db)
  servers = serversCpuMs()
  cpu = process.cpuUsage()
  const accept = await send(http, apiUrl, token, dossiers(N))
  const acceptCpu = cpuPerItem(cpu, N)
  const acceptToUs = Number(process.hrtime.bigint() / 1000n)
  const acceptOps = opsPerItem(ops, await serverOps(stats, api.db), N)
  stats.disconnect()
  const acceptServersCpu = serversPerItem(servers, N)
  const recorded = await count(api.db, 'SELECT count(*)::int AS n FROM deliveries')
  const acceptResult = {
    ms: Math.round(accept.ms),
    perSecond: perSecond(N, accept.ms),
    cpuMsPerItem: acceptCpu,
    loadCpuMsPerItem: accept.loadCpuMsPerItem,
    serversCpuMsPerItem: acceptServersCpu,
    // the counts themselves (INFO, SELECT) are 2 commands / 1 commit in all
    opsPerItem: acceptOps,
    fromUs: acceptFromUs,
    toUs: acceptToUs,
    statuses: accept.statuses,
    recorded
  }

  const later = PHASES === 'accept' ? undefined : await deliverPhases(api, sim, config, noAudit, async () => await send(http, apiUrl, token, steps(N)))

  await http.close()
  await later?.workers.close()
  await api.close()
  await sim.close()
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
  await admin.end()
  await services?.stop()
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })

  const result = {
    dossiers: N,
    warmUp: WARMUP,
    audit: process.env.BENCH_AUDIT !== 'off',
    concurrency: CONCURRENCY,
    workerConcurrency: config.workerConcurrency,
    loadGenerator: process.env.BENCH_LOAD === 'inprocess' ? 'in this process' : 'child process',
    baselineHealth: { perSecond: perSecond(N, baseline.ms), cpuMsPerItem: baselineCpu, loadCpuMsPerItem: baseline.loadCpuMsPerItem, serversCpuMsPerItem: baselineServersCpu },
    acceptOnly: acceptResult,
    ...(later !== undefined ? { deliverOnly: later.deliverOnly, stepsWhileDelivering: later.stepsWhileDelivering, check: later.check } : {})
  }
  console.log(JSON.stringify(result, null, 2))
  const accepted = accept.statuses[202] === N && recorded === N
  const ok = accepted && (later === undefined || later.ok)
  const servers1 = `CPU ms per acceptance: gateway ${acceptCpu}, PostgreSQL ${acceptServersCpu?.postgres ?? '?'}, Redis ${acceptServersCpu?.redis ?? '?'}, load ${accept.loadCpuMsPerItem ?? '?'}`
  console.log(`| deliveries | ${N} dossiers, warm-up ${WARMUP} | baseline GET /health/live ${result.baselineHealth.perSecond}/s | accepted ${acceptResult.perSecond}/s (${servers1}) | ` +
    (later !== undefined
      ? `delivered ${later.deliverOnly.perSecond}/s | steps accepted while delivering ${later.stepsWhileDelivering.acceptPerSecond}/s, delivered ${later.stepsWhileDelivering.deliveredPerSecond}/s end to end | `
      : '') +
    `${ok ? (later !== undefined ? 'none lost, none doubled' : 'each recorded once') : 'CHECK FAILED'} |`)
  if (!ok) process.exitCode = 1
}

/**
 * The whole path run once before measuring (WARMUP dossiers accepted, delivered, and a step of each accepted while
 * delivering), then forgotten: the tables emptied, the queue drained, the portal cleared. Without it the measured
 * phases include the process's start (code not yet optimised by V8, pools opening): a 3,000-dossier run measured
 * from cold is dominated by it. BENCH_WARMUP=0 measures from cold.
 */
async function warmUp (api: FastifyInstance, sim: DvcqgSimulator, config: Config, noAudit: object, sendItems: (items: Item[]) => Promise<Sent>): Promise<void> {
  if (WARMUP <= 0) return
  const WARM = '2412'
  const sent = await sendItems(dossiers(WARMUP, WARM))
  const workers = await buildApp(config, { http: false, workers: true, connectors: [], ...noAudit })
  await workers.ready()
  await until(api.db, WARMUP, performance.now())
  const stepped = await sendItems(steps(WARMUP, WARM))
  await until(api.db, 2 * WARMUP, performance.now())
  await workers.close()
  const done = await delivered(api.db)
  if (sent.statuses[202] !== WARMUP || stepped.statuses[202] !== WARMUP || done !== 2 * WARMUP) {
    throw new Error(`warm-up incomplete: ${JSON.stringify({ sent: sent.statuses, stepped: stepped.statuses, delivered: done, firstRefusal: sent.firstRefusal ?? stepped.firstRefusal })}`)
  }
  await api.db.query('TRUNCATE delivery_attempts, deliveries, dossiers')
  await api.queues.deliveries.drain(true)
  sim.portal.clear()
}

interface Delivering {
  workers: FastifyInstance
  deliverOnly: Record<string, unknown> & { perSecond: number }
  stepsWhileDelivering: Record<string, unknown> & { acceptPerSecond: number, deliveredPerSecond: number }
  check: Record<string, number>
  ok: boolean
}

/** 2. deliver only: a worker-only app on the same database and queue; 3. steps accepted while the workers deliver. */
async function deliverPhases (api: FastifyInstance, sim: DvcqgSimulator, config: Config, noAudit: object, sendSteps: () => Promise<Sent>): Promise<Delivering> {
  const workers = await buildApp(config, { http: false, workers: true, connectors: [], ...noAudit })
  const deliverStart = performance.now()
  const deliverFromUs = Number(process.hrtime.bigint() / 1000n)
  const servers = serversCpuMs()
  const cpu = process.cpuUsage()
  await workers.ready()
  const deliverMs = await until(api.db, N, deliverStart)
  const deliverCpu = cpuPerItem(cpu, N)
  const deliverToUs = Number(process.hrtime.bigint() / 1000n)
  const deliverServersCpu = serversPerItem(servers, N)
  const afterDossiers = { delivered: await delivered(api.db), portalItems: sim.portal.store.size }

  const mixedStart = performance.now()
  const mixedAccept = await sendSteps()
  const mixedMs = await until(api.db, 2 * N, mixedStart)

  const missing = Array.from({ length: N }, (_, i) => i).filter((i) => sim.portal.countApplied(code(i)) !== 1 || sim.portal.countProgress(code(i)) !== 1)
  const check = {
    deliveredInDb: await delivered(api.db),
    portalItems: sim.portal.store.size,
    expected: 2 * N,
    dossiersNotExactlyOnce: missing.length,
    duplicates: sim.portal.duplicates().length,
    portalLogins: sim.portal.stats().authCalls
  }
  return {
    workers,
    deliverOnly: { ms: Math.round(deliverMs), perSecond: perSecond(afterDossiers.delivered, deliverMs), cpuMsPerItem: deliverCpu, serversCpuMsPerItem: deliverServersCpu, fromUs: deliverFromUs, toUs: deliverToUs, ...afterDossiers },
    stepsWhileDelivering: {
      acceptPerSecond: perSecond(N, mixedAccept.ms),
      endToEndMs: Math.round(mixedMs),
      deliveredPerSecond: perSecond(N, mixedMs),
      loadCpuMsPerItem: mixedAccept.loadCpuMsPerItem,
      statuses: mixedAccept.statuses
    },
    check,
    ok: check.deliveredInDb === 2 * N && check.portalItems === 2 * N && missing.length === 0 && check.duplicates === 0
  }
}

if (process.argv[2] === '--load') await loadChild()
else await main()
