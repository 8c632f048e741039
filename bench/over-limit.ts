/**
 * A client over its limit must not hurt the others (issue 22 #5): one gateway process over the citizen simulator,
 * a victim client's lookups measured alone, then again while an attacker client limited to 1 request/s sends
 * 1 MB lookup bodies on ATTACK_CONNECTIONS connections (each refused with 429). Ratios in the same run.
 *
 *   npm run build && node dist/bench/over-limit.js          (OVER_LIMIT_SECONDS=10, ATTACK_CONNECTIONS=32)
 *
 * BENCH_GATEWAY_SCRIPT runs another build's dist/bench/gateway.js (to compare with a commit before the fix).
 * Prints one JSON object.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { load, type Target } from './lib/load.js'
import { citizenConnectorsFile, scripts, startGateway } from './lib/gateways.js'
import { cpuMs, killAllNow, memoryMB, sampleRss, start, stopAll } from './lib/proc.js'
import { services as startServices } from './lib/services.js'
import { hashSecret, newSecret } from '../src/auth/secret-hash.js'
import { sampleIds } from '../src/simulators/index.js'

const SECONDS = Number(process.env.OVER_LIMIT_SECONDS ?? 10)
const ATTACKERS = Number(process.env.ATTACK_CONNECTIONS ?? 32)
const say = (m: string): void => { process.stderr.write(`[over-limit] ${m}\n`) }
const dir = mkdtempSync(join(tmpdir(), 'lienthong-over-limit-'))
// traversable (never readable) by others: the private PostgreSQL runs as the postgres user when we are root
chmodSync(dir, 0o711)
process.once('exit', killAllNow)

/** The attacker: a client limited to 1 request/s, written straight into the gateway's database. */
async function attackerClient (databaseUrl: string): Promise<{ id: string, secret: string }> {
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    const secret = newSecret()
    await db.query("INSERT INTO clients (id, name, roles, grants, secret_hash, limits) VALUES ('attacker', 'attacker', '{system}', '{citizen.lookup}', $1, '{\"perSecond\":1}')",
      [await hashSecret(secret, 1024)])
    return { id: 'attacker', secret }
  } finally {
    await db.end()
  }
}

/** The attacker, in a worker thread (bench/lib/over-limit-attacker.ts); resolves with its answers per status. */
async function attack (url: string, token: string, connections: number, until: number): Promise<{ statuses: Record<string, number>, samples: Record<string, string> }> {
  const worker = new Worker(new URL('./lib/over-limit-attacker.js', import.meta.url), { workerData: { url, token, connections, until } })
  const [answers] = await once(worker, 'message') as [{ statuses: Record<string, number>, samples: Record<string, string> }]
  await worker.terminate()
  return answers
}

try {
  const svc = await startServices(dir, { redisUrl: process.env.REDIS_URL, databaseUrl: process.env.DATABASE_URL }, say)
  const sim = await start<{ url: string }>('simulator', scripts.simulator, { logFile: join(dir, 'simulator.log') })
  if (process.env.BENCH_GATEWAY_SCRIPT !== undefined) scripts.gateway = process.env.BENCH_GATEWAY_SCRIPT
  const g = await startGateway({ dir, services: svc, connectorsFile: citizenConnectorsFile(dir), simUrl: sim.info.url, logLevel: 'warn' },
    { name: 'over-limit', tracing: false, audit: true })
  const url = g.child.info.url
  const attacker = await attackerClient(g.databaseUrl)
  const tokenRes = await fetch(`${url}/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', client_id: attacker.id, client_secret: attacker.secret }) })
  const attackerToken = (await tokenRes.json() as { access_token: string }).access_token
  const victim: Target = { url, path: '/v1/lookups/citizen.lookup', headers: { authorization: `Bearer ${g.child.info.token}`, 'x-purpose': '1.000894' }, bodies: sampleIds()['citizen.lookup'].map((b) => JSON.stringify(b)) }
  const opts = { connections: 4, durationS: SECONDS, rate: 200, rssPid: g.child.pid }

  await load(victim, { ...opts, durationS: 2 }) // warm-up
  say(`attacker alone on ${ATTACKERS} connections, ${SECONDS} s: the gateway's CPU per refused 1 MB request`)
  const cpu0 = cpuMs(g.child.pid)
  const rss = sampleRss(g.child.pid)
  const solo = await attack(url, attackerToken, ATTACKERS, Date.now() + SECONDS * 1000)
  const soloRequests = Object.values(solo.statuses).reduce((a, b) => a + b, 0)
  const soloCpuMs = cpuMs(g.child.pid) - cpu0
  const soloRss = rss()
  say(`victim alone, ${SECONDS} s at 200 lookups/s`)
  const alone = await load(victim, opts)
  const rssBefore = memoryMB(g.child.pid).rss
  say(`victim with the attacker on ${ATTACKERS} connections`)
  const attacked = attack(url, attackerToken, ATTACKERS, Date.now() + (SECONDS + 1) * 1000)
  const during = await load(victim, opts)
  const refused = await attacked
  const result = {
    gateway: scripts.gateway,
    seconds: SECONDS,
    attackConnections: ATTACKERS,
    alone: { rps: alone.rps, latencyMs: alone.latencyMs, statuses: alone.statuses, maxRssMB: alone.maxRssMB },
    attacked: { rps: during.rps, latencyMs: during.latencyMs, statuses: during.statuses, maxRssMB: during.maxRssMB },
    attackerAlone: { ...solo, perSecond: Math.round(soloRequests / SECONDS), gatewayCpuUsPerRequest: Math.round(soloCpuMs * 1000 / Math.max(1, soloRequests)), gatewayCpuShare: Math.round(soloCpuMs / (SECONDS * 10)) / 100, gatewayPeakRssMB: soloRss },
    attacker: { ...refused, perSecond: Math.round(Object.values(refused.statuses).reduce((a, b) => a + b, 0) / SECONDS) },
    ratios: { p50: Math.round(during.latencyMs.p50 / Math.max(0.01, alone.latencyMs.p50) * 100) / 100, p99: Math.round(during.latencyMs.p99 / Math.max(0.01, alone.latencyMs.p99) * 100) / 100 },
    rssMB: { before: rssBefore, peakDuring: during.maxRssMB }
  }
  process.stdout.write(JSON.stringify(result, null, 2) + '\n')
  await stopAll()
  await svc.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
