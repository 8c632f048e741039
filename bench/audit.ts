/**
 * Benchmark of the audit trail and tracing (issue 4): citizen lookups per second through the whole gateway with
 * the audit trail and OpenTelemetry ON versus OFF, measured in one run, alternating rounds.
 *
 *   npm run build && node dist/bench/audit.js
 *
 * ON  = `node --import dist/src/tracing.js` (NodeSDK, @fastify/otel, undici/pg/ioredis instrumentations; spans
 *       exported by OTLP to a local sink that discards them) + the PostgreSQL audit writer.
 * OFF = no SDK, and an audit sink that drops events.
 * Each mode is its own gateway process (one core each at most), on its own database; the simulator and the load
 * generator (autocannon) run here. REDIS_URL + DATABASE_URL: use those servers; otherwise private ones are
 * started under a temporary folder. BENCH_CONNECTIONS (default 32), BENCH_SECONDS per round (default 8),
 * BENCH_ROUNDS per mode (default 3); BENCH_BREAKDOWN=1 adds audit-only and tracing-only gateways. Besides req/s
 * it reports each gateway's CPU time per request (Linux): on a shared machine that figure is the steadier one.
 * The standard OTEL_* variables apply (e.g. OTEL_TRACES_SAMPLER). Prints one JSON object, then a summary line.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { createInterface } from 'node:readline'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import pg from 'pg'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { startLocalServices, type LocalServices } from '../src/dev/local-services.js'
import { createCitizenSimulator, sampleIds } from '../src/simulators/index.js'
import { DISABLED_AUDIT } from '../src/audit/writer.js'

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 5)
const self = fileURLToPath(import.meta.url)
const tracingModule = join(self, '../../src/tracing.js')

type Mode = 'off' | 'audit' | 'trace' | 'on'
const traced = (m: Mode): boolean => m === 'trace' || m === 'on'
const audited = (m: Mode): boolean => m === 'audit' || m === 'on'

/** Child mode: one gateway listening on a free port; prints `{ url, token }` and serves until SIGTERM. */
async function serve (mode: Mode, simUrl: string): Promise<void> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', RATE_LIMIT_PER_SECOND: '1000000', CONNECTORS_FILE: 'test/fixtures/no-connectors.json', SECRET_HASH_COST: '1024', WORKERS: 'false' })
  const app = await buildApp(config, {
    workers: false,
    auditSink: audited(mode) ? undefined : DISABLED_AUDIT,
    connectors: [{ id: 'population', type: 'rest-json', services: ['citizen.lookup'], provinces: null, enabled: true, config: { baseUrl: simUrl, operations: { 'citizen.lookup': { path: '/api/citizens/lookup' } } } }]
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const { secret } = await app.clients.create({ id: `bench-${mode}`, name: 'bench', roles: ['system'], grants: ['citizen.lookup'] })
  const token = (await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: `bench-${mode}`, client_secret: secret } })).json().access_token
  process.stdout.write(JSON.stringify({ url, token }) + '\n')
  process.once('SIGTERM', () => { void app.close().then(() => process.exit(0)) })
}

interface Target { mode: Mode, child: ChildProcess, url: string, token: string, db: string }

async function start (mode: Mode, env: Record<string, string>, simUrl: string, db: string): Promise<Target> {
  const args = [...(traced(mode) ? ['--import', tracingModule] : []), self, 'serve', mode, simUrl]
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const [line] = await once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), 'line') as [string]
  return { mode, child, db, ...JSON.parse(line) as { url: string, token: string } }
}

/** CPU time (ms) a process used so far (Linux /proc; 0 elsewhere). */
async function cpuMs (pid: number | undefined): Promise<number> {
  try {
    const f = (await readFile(`/proc/${pid ?? 0}/stat`, 'utf8')).split(') ')[1].split(' ')
    return (Number(f[11]) + Number(f[12])) * 10
  } catch {
    return 0
  }
}

interface Round { rps: number, p99: number, ok: number, other: number, cpuMsPerKReq: number }

async function load (target: Target, seconds: number): Promise<Round> {
  const bodies = sampleIds()['citizen.lookup'].slice(0, 4)
  const cpu0 = await cpuMs(target.child.pid)
  const r = await autocannon({
    url: `${target.url}/v1/lookups/citizen.lookup`,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: { authorization: `Bearer ${target.token}`, 'x-purpose': '1.000894', 'content-type': 'application/json' },
    requests: bodies.map((b) => ({ body: JSON.stringify(b) }))
  })
  const cpu = await cpuMs(target.child.pid) - cpu0
  return { rps: r.requests.average, p99: r.latency.p99, ok: r['2xx'], other: r.non2xx + r.errors + r.timeouts, cpuMsPerKReq: Math.round(cpu * 1000 / Math.max(1, r.requests.total)) }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function main (): Promise<void> {
  let services: LocalServices | undefined
  let dir: string | undefined
  if (process.env.REDIS_URL === undefined || process.env.DATABASE_URL === undefined) {
    dir = await mkdtemp(join(tmpdir(), 'bench-audit-'))
    services = await startLocalServices({ dir })
  }
  const redisUrl = process.env.REDIS_URL ?? services?.redisUrl as string
  const baseUrl = process.env.DATABASE_URL ?? services?.databaseUrl as string
  const admin = new pg.Client({ connectionString: baseUrl })
  await admin.connect()
  const dbUrl = (db: string): string => { const u = new URL(baseUrl); u.pathname = `/${db}`; return u.toString() }
  const modes: Mode[] = process.env.BENCH_BREAKDOWN === '1' ? ['off', 'audit', 'trace', 'on'] : ['off', 'on']

  const sim = createCitizenSimulator()
  const simUrl = await sim.listen(0, '127.0.0.1')
  let exports = 0
  const sink = createServer((req, res) => { if (req.url === '/v1/traces') exports++; req.resume(); req.on('end', () => res.end()) })
  sink.listen(0, '127.0.0.1')
  await once(sink, 'listening')
  const targets: Target[] = []
  try {
    for (const mode of modes) {
      const db = `bench_audit_${mode}_${randomBytes(3).toString('hex')}`
      await admin.query(`CREATE DATABASE ${db}`)
      targets.push(await start(mode, {
        REDIS_URL: redisUrl,
        DATABASE_URL: dbUrl(db),
        QUEUE_PREFIX: `bench-${db}`,
        AUDIT_KEY: 'bench-audit-key-0123456789abcdef',
        OTEL_SERVICE_NAME: 'lienthong-bench',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(sink.address() as { port: number }).port}`
      }, simUrl, db))
    }
    const warm: Round[] = []
    for (const t of targets) warm.push(await load(t, WARMUP))
    const results = Object.fromEntries(modes.map((m) => [m, [] as Round[]])) as Record<Mode, Round[]>
    // Each round starts with another gateway, so that none always runs right after the same neighbour.
    for (let i = 0; i < ROUNDS; i++) {
      for (let k = 0; k < targets.length; k++) {
        const t = targets[(i + k) % targets.length]
        results[t.mode].push(await load(t, SECONDS))
      }
    }

    // Nothing lost: every lookup the ON gateway answered is in its trail once it has flushed and closed.
    const on = targets[targets.length - 1]
    on.child.kill('SIGTERM')
    await once(on.child, 'exit')
    const onDb = new pg.Client({ connectionString: dbUrl(on.db) })
    await onDb.connect()
    const inTrail = Number((await onDb.query("SELECT count(*) FROM audit_events WHERE kind = 'lookup' AND outcome = 'ok'")).rows[0].count)
    await onDb.end()
    const answered = warm[warm.length - 1].ok + results.on.reduce((s, r) => s + r.ok, 0)

    const rps = Object.fromEntries(modes.map((m) => [m, median(results[m].map((r) => r.rps))])) as Record<Mode, number>
    const cpu = Object.fromEntries(modes.map((m) => [m, median(results[m].map((r) => r.cpuMsPerKReq))])) as Record<Mode, number>
    const paired = median(results.on.map((r, i) => r.rps / results.off[i].rps)) // rounds are adjacent in time
    const ratio = rps.on / rps.off
    console.log(JSON.stringify({ connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, rps, gatewayCpuMsPer1000Requests: cpu, ratio, pairedRatio: paired, results, audit: { answered, inTrail }, otlpTraceExports: exports }, null, 2))
    console.log(`audit+tracing ON ${rps.on.toFixed(0)} req/s vs OFF ${rps.off.toFixed(0)} req/s: ratio ${ratio.toFixed(3)} (median of paired rounds ${paired.toFixed(3)}; ` +
      `gateway CPU per request ON/OFF ${cpu.on}/${cpu.off} µs → ${(cpu.off / cpu.on).toFixed(3)}; bar ≥ 0.85); ` +
      `${inTrail}/${answered} answered lookups in the trail; p99 ON ${median(results.on.map((r) => r.p99))} ms, OFF ${median(results.off.map((r) => r.p99))} ms`)
  } finally {
    for (const t of targets) if (t.child.exitCode === null) { t.child.kill('SIGTERM'); await once(t.child, 'exit') }
    sink.close()
    await sim.close()
    for (const t of targets) await admin.query(`DROP DATABASE IF EXISTS ${t.db} WITH (FORCE)`)
    await admin.end()
    await services?.stop()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3] as Mode, process.argv[4])
else await main()
