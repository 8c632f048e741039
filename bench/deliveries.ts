/**
 * Benchmark of dossier deliveries (issue 3): dossiers accepted per second (HTTP, durable: PostgreSQL commit +
 * BullMQ job), then delivered per second to the healthy portal simulator, then steps accepted while the workers
 * deliver; with counts proving none lost or doubled. In-process; each phase is bounded by BENCH_MAX_MS.
 *
 *   npm run build && node dist/bench/deliveries.js
 *
 * REDIS_URL + DATABASE_URL: use those servers (a fresh database is created, then dropped); otherwise private
 * ones are started under a temporary folder (with fsync on). BENCH_DELIVERIES (default 5000) dossiers,
 * BENCH_CONCURRENCY (default 64) requests in flight, WORKER_CONCURRENCY (default 64). BENCH_AUDIT=off replaces the
 * PostgreSQL audit trail with a no-op sink (to see its share).
 *
 * The HTTP load comes from a child process (this file with `--load`), as autocannon is apart from the gateway in
 * the lookups scenario: the CPU columns (`cpuMsPerItem`) are then this process's alone — gateway, workers and
 * portal simulator — and the load generator's is given apart (`loadCpuMsPerItem`). BENCH_LOAD=inprocess sends
 * from this process instead (how the numbers before 2026-12 were taken: the generator shares the gateway's core).
 * Prints one JSON object, then a one-line markdown summary.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { Pool } from 'undici'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { startLocalServices, type LocalServices } from '../src/dev/local-services.js'
import { createDvcqgSimulator } from '../src/simulators/index.js'

const N = Number(process.env.BENCH_DELIVERIES ?? 5000)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64)
const MAX_MS = Number(process.env.BENCH_MAX_MS ?? 120_000)
const code = (i: number): string => `000.00.01.H22-2501${String(1 + Math.floor(i / 9999)).padStart(2, '0')}-${String(i % 9999 + 1).padStart(4, '0')}`

const dossier = (i: number): Record<string, unknown> => ({
  code: code(i),
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

interface Item { path: string, body?: unknown }
interface Sent { ms: number, statuses: Record<number, number>, loadCpuMsPerItem?: number }

async function sendFrom (pool: Pool, token: string, items: Item[]): Promise<Sent> {
  const statuses: Record<number, number> = {}
  let next = 0
  const start = performance.now()
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length && performance.now() - start < MAX_MS) {
      const item = items[next++]
      const res = item.body === undefined
        ? await pool.request({ method: 'GET', path: item.path })
        : await pool.request({ method: 'POST', path: item.path, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(item.body) })
      await res.body.dump()
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
    }
  }))
  return { ms: performance.now() - start, statuses }
}

/** `--load`: the load generator child. Reads { url, token, items } on stdin, answers `Sent` on stdout. */
async function loadChild (): Promise<void> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  const { url, token, items } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { url: string, token: string, items: Item[] }
  const pool = new Pool(url, { connections: CONCURRENCY })
  const cpu = process.cpuUsage()
  const sent = await sendFrom(pool, token, items)
  const used = process.cpuUsage(cpu)
  await pool.close()
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

async function delivered (db: pg.Pool): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM deliveries WHERE status = 'delivered'")
  return rows[0].n
}

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

async function main (): Promise<void> {
  let services: LocalServices | undefined
  let dir: string | undefined
  let redisUrl = process.env.REDIS_URL
  let adminUrl = process.env.DATABASE_URL
  if (redisUrl === undefined || adminUrl === undefined) {
    dir = await mkdtemp(join(tmpdir(), 'lienthong-bench-'))
    services = await startLocalServices({ dir })
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
    DATABASE_POOL_SIZE: '20',
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
  await api.clients.create({ id: 'bench-system', name: 'bench', roles: ['system'], grants: ['dossier.sync', 'dossier.progress'] })
  const token = api.tokens.issue((await api.clients.get('bench-system'))!).accessToken
  const http = new Pool(apiUrl, { connections: CONCURRENCY })

  // 0. the machine's baseline: the cheapest route of the same server, same client
  let cpu = process.cpuUsage()
  const baseline = await send(http, apiUrl, token, Array.from({ length: N }, () => ({ path: '/health/live' })))
  const baselineCpu = cpuPerItem(cpu, N)

  // 1. accept only (no worker running)
  const dossiers = Array.from({ length: N }, (_, i) => ({ path: '/v1/dossiers', body: dossier(i) }))
  cpu = process.cpuUsage()
  const accept = await send(http, apiUrl, token, dossiers)
  const acceptCpu = cpuPerItem(cpu, N)

  // 2. deliver only: a worker-only app on the same database and queue
  const workers = await buildApp(config, { http: false, workers: true, connectors: [], ...noAudit })
  const deliverStart = performance.now()
  cpu = process.cpuUsage()
  await workers.ready()
  const deliverMs = await until(api.db, N, deliverStart)
  const deliverCpu = cpuPerItem(cpu, N)
  const afterDossiers = { delivered: await delivered(api.db), portalItems: sim.portal.store.size }

  // 3. steps accepted while the workers deliver, end to end
  const steps = Array.from({ length: N }, (_, i) => ({ path: `/v1/dossiers/${code(i)}/progress`, body: step(i) }))
  const mixedStart = performance.now()
  const mixedAccept = await send(http, apiUrl, token, steps)
  const mixedMs = await until(api.db, 2 * N, mixedStart)

  const missing = Array.from({ length: N }, (_, i) => i).filter((i) => sim.portal.countApplied(code(i)) !== 1 || sim.portal.countProgress(code(i)) !== 1)
  const result = {
    dossiers: N,
    audit: process.env.BENCH_AUDIT !== 'off',
    concurrency: CONCURRENCY,
    workerConcurrency: config.workerConcurrency,
    loadGenerator: process.env.BENCH_LOAD === 'inprocess' ? 'in this process' : 'child process',
    baselineHealth: { perSecond: perSecond(N, baseline.ms), cpuMsPerItem: baselineCpu, loadCpuMsPerItem: baseline.loadCpuMsPerItem },
    acceptOnly: { ms: Math.round(accept.ms), perSecond: perSecond(N, accept.ms), cpuMsPerItem: acceptCpu, loadCpuMsPerItem: accept.loadCpuMsPerItem, statuses: accept.statuses },
    deliverOnly: { ms: Math.round(deliverMs), perSecond: perSecond(afterDossiers.delivered, deliverMs), cpuMsPerItem: deliverCpu, ...afterDossiers },
    stepsWhileDelivering: {
      acceptPerSecond: perSecond(N, mixedAccept.ms),
      endToEndMs: Math.round(mixedMs),
      deliveredPerSecond: perSecond(N, mixedMs),
      loadCpuMsPerItem: mixedAccept.loadCpuMsPerItem,
      statuses: mixedAccept.statuses
    },
    check: {
      deliveredInDb: await delivered(api.db),
      portalItems: sim.portal.store.size,
      expected: 2 * N,
      dossiersNotExactlyOnce: missing.length,
      duplicates: sim.portal.duplicates().length,
      portalLogins: sim.portal.stats().authCalls
    }
  }

  await http.close()
  await workers.close()
  await api.close()
  await sim.close()
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
  await admin.end()
  await services?.stop()
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })

  console.log(JSON.stringify(result, null, 2))
  const ok = result.check.deliveredInDb === 2 * N && result.check.portalItems === 2 * N && missing.length === 0 && result.check.duplicates === 0
  console.log(`| deliveries | ${N} dossiers | baseline GET /health/live ${result.baselineHealth.perSecond}/s | accepted ${result.acceptOnly.perSecond}/s | delivered ${result.deliverOnly.perSecond}/s | ` +
    `steps accepted while delivering ${result.stepsWhileDelivering.acceptPerSecond}/s, delivered ${result.stepsWhileDelivering.deliveredPerSecond}/s end to end | ` +
    `${ok ? 'none lost, none doubled' : 'CHECK FAILED'} |`)
  if (!ok) process.exitCode = 1
}

if (process.argv[2] === '--load') await loadChild()
else await main()
