/**
 * Benchmark of events to provincial systems (issue 21): online submissions on the portal simulator, pulled by the
 * gateway with its cursor, routed and fanned out as signed webhooks to 34 province subscribers.
 *
 *   npm run build && node dist/bench/events.js
 *
 * Phases (after a warm-up of BENCH_EVENTS_WARMUP events, default 300, forgotten afterwards):
 * 1. burst: BENCH_EVENTS (default 1500) submissions at once; events/s ingested (pulled and recorded, with their
 *    deliveries) and deliveries/s fanned out (until every subscriber has every event);
 * 2. latency: BENCH_EVENTS_RATE submissions/s (default 30, i.e. 1,020 deliveries/s with fan-out to all) for
 *    BENCH_EVENTS_RATE_S seconds (default 10); p50/p99 from the submission on the portal to the subscriber.
 * Every phase checks that each subscriber got each of its events (`lost`) and counts the repeats.
 * BENCH_EVENTS_FANOUT=all (default: every subscriber takes every event, 34 deliveries per event) or `province` (each
 * takes its province's, events spread over the 34: one delivery per event). The gateway (workers, audit trail on)
 * and the portal simulator run in this process, the subscribers in a child (bench/event-subscribers.ts).
 * REDIS_URL + DATABASE_URL: those servers; otherwise private ones (fsync on). Prints one JSON object, then a
 * one-line markdown summary.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { createDvcqgSimulator, type DvcqgSimulator } from '../src/simulators/index.js'
import { PROVINCES } from '../src/simulators/seed/communes.js'
import { serversCpuMs } from './lib/server-cpu.js'
import { services as startServices, type Services } from './lib/services.js'

const N = Number(process.env.BENCH_EVENTS ?? 1500)
const WARMUP = Number(process.env.BENCH_EVENTS_WARMUP ?? 300)
const RATE = Number(process.env.BENCH_EVENTS_RATE ?? 30)
const RATE_S = Number(process.env.BENCH_EVENTS_RATE_S ?? 10)
const FANOUT = process.env.BENCH_EVENTS_FANOUT === 'province' ? 'province' : 'all'
const MAX_MS = Number(process.env.BENCH_MAX_MS ?? 180_000)
const SOURCE = 'portal-bench'

interface Stats { received: number, distinct: number, perSubscriber: number[], latencies: number[], cpuMs: number }

const say = (m: string): void => { process.stderr.write(`[bench events] ${m}\n`) }
const perSecond = (n: number, ms: number): number => Math.round(n / ms * 1000)
const round2 = (x: number): number => Math.round(x * 100) / 100

async function ask<T> (child: ChildProcess, message: string, key: string): Promise<T> {
  return await new Promise<T>((resolve) => {
    const on = (m: Record<string, unknown>): void => {
      if (!(key in m)) return
      child.off('message', on)
      resolve(m[key] as T)
    }
    child.on('message', on)
    child.send(message)
  })
}

async function startSubscribers (): Promise<{ child: ChildProcess, urls: string[] }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./event-subscribers.js', import.meta.url)), String(PROVINCES.length)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const info = await new Promise<{ urls: string[] }>((resolve, reject) => {
    child.once('message', (m: { ready?: { urls: string[] }, error?: string }) => m.ready !== undefined ? resolve(m.ready) : reject(new Error(m.error)))
    child.once('exit', (code) => reject(new Error(`subscribers exited with ${String(code)}`)))
  })
  return { child, urls: info.urls }
}

/** `n` online submissions on the portal, spread over the provinces, each stamped with its submission time. */
function submit (sim: DvcqgSimulator, phase: string, from: number, n: number): void {
  for (let i = from; i < from + n; i++) {
    const p = PROVINCES[i % PROVINCES.length]
    sim.portal.feed.submitOnline({
      maHoSo: `BENCH-${phase}-${i}`,
      maTTHC: '1.001193',
      tenTTHC: 'Đăng ký khai sinh',
      maCoQuan: '000.00.01.H29',
      maTinh: p.code,
      maXa: p.communes[i % p.communes.length].code,
      chuHoSo: 'Nguyễn Văn An',
      soDinhDanh: '001090012345',
      trichYeu: `t=${Date.now()}`
    })
  }
}

async function waitUntil (check: () => Promise<boolean>, what: string): Promise<boolean> {
  const until = performance.now() + MAX_MS
  while (performance.now() < until) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  say(`gave up waiting for ${what}`)
  return false
}

const recorded = async (app: FastifyInstance): Promise<number> =>
  (await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE source = $1', [SOURCE])).rows[0].n

function percentile (sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)]
}

/** Per-phase check: every subscriber has each of its events once; repeats counted. */
function check (stats: Stats, events: number): { expected: number, distinct: number, received: number, repeats: number, lost: number } {
  const expected = FANOUT === 'all' ? events * PROVINCES.length : events
  return { expected, distinct: stats.distinct, received: stats.received, repeats: stats.received - stats.distinct, lost: expected - stats.distinct }
}

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lienthong-bench-events-'))
  // traversable (never readable) by others: the private PostgreSQL runs as the postgres user when we are root
  await chmod(dir, 0o711)
  let svc: Services | undefined
  let subs: { child: ChildProcess, urls: string[] } | undefined
  let app: FastifyInstance | undefined
  let sim: DvcqgSimulator | undefined
  try {
    const privateServers = process.env.REDIS_URL === undefined || process.env.DATABASE_URL === undefined
    svc = await startServices(dir, { redisUrl: process.env.REDIS_URL, databaseUrl: process.env.DATABASE_URL }, say)
    subs = await startSubscribers()
    sim = createDvcqgSimulator()
    const simUrl = await sim.listen(0)
    const config = loadConfig({
      REDIS_URL: svc.redisUrl,
      DATABASE_URL: await svc.database('bench_events'),
      DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? '20',
      QUEUE_PREFIX: `bench-events-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'warn',
      SECRET_HASH_COST: '1024',
      DATA_DIR: join(dir, 'data'),
      CONNECTORS_FILE: 'test/fixtures/no-connectors.json',
      AUDIT_KEY: 'bench-audit-key-0123456789abcdef0123456789',
      EVENTS_PULL_INTERVAL_MS: process.env.EVENTS_PULL_INTERVAL_MS ?? '100',
      EVENTS_LANES: process.env.EVENTS_LANES ?? '64',
      EVENTS_BATCH: process.env.EVENTS_BATCH ?? '64'
    })
    const instance = {
      id: SOURCE,
      type: 'dvcqg',
      services: ['dossier.events'],
      provinces: null,
      enabled: true,
      config: { baseUrl: simUrl, username: 'lienthong', password: 'lienthong-sim', dstcode: 'G22', agencyCode: '000.00.01.H22' }
    }
    app = await buildApp(config, { workers: true, connectors: [instance] })
    await app.ready()
    const admin = app.tokens.issue((await app.clients.create({ id: 'bench-admin', name: 'bench', roles: ['admin'] })).client).accessToken
    for (const [i, p] of PROVINCES.entries()) {
      const clientId = `bench-province-${p.code}`
      await app.clients.create({ id: clientId, name: clientId, roles: ['system'] })
      const res = await app.inject({
        method: 'POST',
        url: '/v1/admin/subscriptions',
        headers: { authorization: `Bearer ${admin}` },
        payload: {
          clientId,
          eventTypes: ['dossier.submitted-online'],
          ...(FANOUT === 'province' ? { filter: { provinces: [p.code] } } : {}),
          callbackUrl: subs.urls[i],
          purpose: `Tiếp nhận hồ sơ trực tuyến, ${p.name}`
        }
      })
      if (res.statusCode !== 201) throw new Error(`subscription refused: ${res.body}`)
    }
    const stats = async (): Promise<Stats> => await ask<Stats>(subs!.child, 'stats', 'stats')
    const delivered = async (expected: number): Promise<boolean> => (await stats()).distinct >= expected

    say(`warm-up: ${WARMUP} events`)
    submit(sim, 'warmup', 0, WARMUP)
    await waitUntil(async () => await delivered(check({ received: 0, distinct: 0, perSubscriber: [], latencies: [], cpuMs: 0 }, WARMUP).expected), 'the warm-up')
    const warm = await recorded(app)
    await ask(subs.child, 'reset', 'reset')

    say(`burst: ${N} events, fan-out ${FANOUT}`)
    const expected = check({ received: 0, distinct: 0, perSubscriber: [], latencies: [], cpuMs: 0 }, N).expected
    const servers0 = serversCpuMs()
    const cpu0 = process.cpuUsage()
    const subsCpu0 = (await stats()).cpuMs
    const started = performance.now()
    submit(sim, 'burst', 0, N)
    let ingestMs = 0
    const done = waitUntil(async () => await recorded(app as FastifyInstance) - warm >= N, 'the ingestion').then(() => { ingestMs = performance.now() - started })
    await waitUntil(async () => await delivered(expected), 'the fan-out')
    const deliverMs = performance.now() - started
    await done
    const cpu = process.cpuUsage(cpu0)
    const servers1 = serversCpuMs()
    const burstStats = await stats()
    const per = (ms: number): number => round2(ms / expected)
    const burst = {
      events: N,
      deliveries: expected,
      ingestMs: Math.round(ingestMs),
      eventsPerSecond: perSecond(N, ingestMs),
      deliverMs: Math.round(deliverMs),
      deliveriesPerSecond: perSecond(expected, deliverMs),
      cpuMsPerDelivery: {
        gateway: per((cpu.user + cpu.system) / 1000),
        subscribers: per(burstStats.cpuMs - subsCpu0),
        ...(privateServers ? { postgres: per(servers1.postgres - servers0.postgres), redis: per(servers1.redis - servers0.redis) } : {})
      },
      check: check(burstStats, N)
    }
    say(`burst: ${burst.eventsPerSecond} events/s ingested, ${burst.deliveriesPerSecond} deliveries/s`)
    await ask(subs.child, 'reset', 'reset')

    const total = RATE * RATE_S
    say(`latency: ${RATE} events/s for ${RATE_S} s`)
    for (let s = 0; s < RATE_S * 10; s++) {
      submit(sim, 'rate', s * RATE / 10, RATE / 10)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await waitUntil(async () => await delivered(check({ received: 0, distinct: 0, perSubscriber: [], latencies: [], cpuMs: 0 }, total).expected), 'the latency phase')
    const rateStats = await stats()
    const sorted = [...rateStats.latencies].sort((a, b) => a - b)
    const latency = {
      eventsPerSecond: RATE,
      deliveriesPerSecond: FANOUT === 'all' ? RATE * PROVINCES.length : RATE,
      samples: sorted.length,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted[sorted.length - 1] ?? 0,
      check: check(rateStats, total)
    }
    const { rows } = await app.db.query<{ n: number }>("SELECT count(*)::int AS n FROM event_deliveries WHERE status <> 'delivered'")
    const result = {
      subscribers: PROVINCES.length,
      fanout: FANOUT,
      pullIntervalMs: config.events.pullIntervalMs,
      burst,
      latency,
      undelivered: rows[0].n,
      lost: burst.check.lost + latency.check.lost
    }
    console.log(JSON.stringify(result, null, 2))
    console.log(`| events | ${N} events × ${PROVINCES.length} subscribers (fan-out ${FANOUT}) | ingested ${burst.eventsPerSecond}/s | delivered ${burst.deliveriesPerSecond}/s | ` +
      `p99 ${latency.p99Ms} ms at ${latency.deliveriesPerSecond}/s | lost ${result.lost}, repeats ${burst.check.repeats + latency.check.repeats} |`)
  } finally {
    await app?.close().catch(() => {})
    await sim?.close().catch(() => {})
    subs?.child.kill('SIGTERM')
    await svc?.close().catch(() => {})
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
