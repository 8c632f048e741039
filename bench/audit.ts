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
 * BENCH_ROUNDS per mode (default 3); BENCH_BREAKDOWN=1 adds audit-only and tracing-only gateways; BENCH_MODES
 * picks the gateways (comma-separated `off`, `audit`, `trace`, `on`; e.g. `off,audit` for the audit trail's cost
 * alone). Besides req/s it reports each gateway's CPU time per request and, with private servers, that of
 * PostgreSQL + Redis (Linux): on a shared machine those figures are the steadier ones.
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
import { descendants } from './lib/proc.js'

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
  const target = { mode, child, db, ...JSON.parse(line) as { url: string, token: string } }
  // Right after start the overload check may refuse for a moment (docs/performance.md): wait for a first 200.
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${target.url}/v1/lookups/citizen.lookup`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.token}`, 'x-purpose': '1.000894', 'content-type': 'application/json' },
      body: JSON.stringify(sampleIds()['citizen.lookup'][0])
    })
    await res.arrayBuffer()
    if (res.status === 200) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return target
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

/** CPU time (ms) of the private PostgreSQL and Redis: every process below this one but the gateways, with the
 * time of the children they reaped (PostgreSQL backends that ended during a round). */
async function serversCpuMs (gateways: number[]): Promise<number> {
  let sum = 0
  for (const pid of descendants(process.pid, gateways)) {
    try {
      const f = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ')
      sum += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10
    } catch {}
  }
  return sum
}

interface Round { rps: number, p99: number, ok: number, other: number, cpuMsPerKReq: number, serversCpuMsPerKReq?: number }

let measureServers: (() => Promise<number>) | undefined

async function load (target: Target, seconds: number): Promise<Round> {
  const bodies = sampleIds()['citizen.lookup'].slice(0, 4)
  const cpu0 = await cpuMs(target.child.pid)
  const servers0 = await measureServers?.()
  const r = await autocannon({
    url: `${target.url}/v1/lookups/citizen.lookup`,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: { authorization: `Bearer ${target.token}`, 'x-purpose': '1.000894', 'content-type': 'application/json' },
    requests: bodies.map((b) => ({ body: JSON.stringify(b) }))
  })
  const cpu = await cpuMs(target.child.pid) - cpu0
  const servers = servers0 === undefined || measureServers === undefined ? undefined : await measureServers() - servers0
  const n = Math.max(1, r.requests.total)
  return {
    rps: r.requests.average,
    p99: r.latency.p99,
    ok: r['2xx'],
    other: r.non2xx + r.errors + r.timeouts,
    cpuMsPerKReq: Math.round(cpu * 1000 / n),
    ...(servers !== undefined ? { serversCpuMsPerKReq: Math.round(servers * 1000 / n) } : {})
  }
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
  const picked = (process.env.BENCH_MODES ?? '').split(',').map((m) => m.trim()).filter((m): m is Mode => ['off', 'audit', 'trace', 'on'].includes(m))
  const modes: Mode[] = picked.length > 0 ? ['off', ...new Set(picked.filter((m) => m !== 'off'))] : process.env.BENCH_BREAKDOWN === '1' ? ['off', 'audit', 'trace', 'on'] : ['off', 'on']
  const top = modes[modes.length - 1] // compared with `off`

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
    if (services !== undefined) measureServers = async () => await serversCpuMs(targets.flatMap((t) => t.child.pid ?? []))
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

    // Nothing lost: every lookup the last audited gateway answered is in its trail once it has flushed and closed.
    const checked = [...targets].reverse().find((t) => audited(t.mode))
    let trail: { answered: number, inTrail: number } | undefined
    if (checked !== undefined) {
      checked.child.kill('SIGTERM')
      await once(checked.child, 'exit')
      const db = new pg.Client({ connectionString: dbUrl(checked.db) })
      await db.connect()
      const inTrail = Number((await db.query("SELECT count(*) FROM audit_events WHERE kind = 'lookup' AND outcome = 'ok'")).rows[0].count)
      await db.end()
      trail = { answered: warm[targets.indexOf(checked)].ok + results[checked.mode].reduce((s, r) => s + r.ok, 0), inTrail }
    }

    const rps = Object.fromEntries(modes.map((m) => [m, median(results[m].map((r) => r.rps))])) as Record<Mode, number>
    const cpu = Object.fromEntries(modes.map((m) => [m, median(results[m].map((r) => r.cpuMsPerKReq))])) as Record<Mode, number>
    const serversCpu = services === undefined ? undefined : Object.fromEntries(modes.map((m) => [m, median(results[m].map((r) => r.serversCpuMsPerKReq ?? 0))])) as Record<Mode, number>
    const paired = median(results[top].map((r, i) => r.rps / results.off[i].rps)) // rounds are adjacent in time
    const ratio = rps[top] / rps.off
    console.log(JSON.stringify({ connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, rps, gatewayCpuMsPer1000Requests: cpu, serversCpuMsPer1000Requests: serversCpu, ratio, pairedRatio: paired, results, audit: trail, otlpTraceExports: exports }, null, 2))
    console.log(`${top} ${rps[top].toFixed(0)} req/s vs off ${rps.off.toFixed(0)} req/s: ratio ${ratio.toFixed(3)} (median of paired rounds ${paired.toFixed(3)}); ` +
      `gateway CPU per request ${modes.map((m) => `${m} ${cpu[m]}`).join(', ')} µs` +
      (serversCpu !== undefined ? `; PostgreSQL + Redis CPU per request ${modes.map((m) => `${m} ${serversCpu[m]}`).join(', ')} µs` : '') +
      (trail !== undefined ? `; ${trail.inTrail}/${trail.answered} answered lookups in the trail` : '') +
      `; p99 ${modes.map((m) => `${m} ${median(results[m].map((r) => r.p99))}`).join(', ')} ms`)
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
