/**
 * Micro-benchmarks of the lookup's stages that run alone with the gateway's own code (bench/stages.ts): each is
 * CPU time (`process.cpuUsage`) per operation over a batch, median of five batches after a warm-up. In-process:
 * what one stage costs without the others, not with them — the profile of the whole (bench/stages.ts) says how they
 * add up.
 */
import { once } from 'node:events'
import pg from 'pg'
import pino from 'pino'
import { Redis } from 'ioredis'
import { Pool } from 'undici'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import { createValidator } from '../../src/catalog/validator.js'
import { getService } from '../../src/catalog/services.js'
import { subjectValues } from '../../src/catalog/subjects.js'
import { loggerOptions } from '../../src/logging.js'
import { SharedCounters } from '../../src/limits/shared-counters.js'
import { newPrometheusReader } from '../../src/tracing/prometheus.js'
import { AuditKeyring, prepare } from '../../src/audit/prepare.js'
import { AuditStore } from '../../src/audit/store.js'
import type { PreparedEvent } from '../../src/audit/canonical.js'
import { migrate } from '../../src/db/migrate.js'
import { sampleIds } from '../../src/simulators/index.js'
import { serversCpuMs } from './server-cpu.js'
import { lookupAuditInput } from './audit-event.js'
import { createPrototype, previousAppend, prototypeAppend } from './audit-write-prototype.js'
import type { Services } from './services.js'

export interface MicroResult { stage: string, us: number, min: number, max: number }

const cpuUs = (): number => { const u = process.cpuUsage(); return u.user + u.system }
const r2 = (x: number): number => Math.round(x * 100) / 100

/** µs of CPU per call of `fn` (sync or async, awaited one after the other), median of 5 batches of `n`. */
async function perOp (stage: string, n: number, fn: (i: number) => unknown): Promise<MicroResult> {
  for (let i = 0; i < Math.ceil(n / 4); i++) await fn(i)
  const batches: number[] = []
  for (let b = 0; b < 5; b++) {
    const t0 = cpuUs()
    for (let i = 0; i < n; i++) {
      const r = fn(i)
      if (r instanceof Promise) await r
    }
    batches.push((cpuUs() - t0) / n)
  }
  batches.sort((a, b) => a - b)
  return { stage, us: r2(batches[2]), min: r2(batches[0]), max: r2(batches[4]) }
}

export async function microStages (ctx: { simUrl: string, services: Services, say: (m: string) => void }): Promise<MicroResult[]> {
  const out: MicroResult[] = []
  const service = getService('citizen.lookup')
  if (service === undefined) throw new Error('no citizen.lookup service')
  const requests = sampleIds()['citizen.lookup']
  const texts = requests.map((b) => JSON.stringify(b))
  const validator = createValidator()

  // the upstream: answers of the simulator for the five samples
  const upstream = new Pool(ctx.simUrl, { connections: 16 })
  const answers: string[] = []
  for (const t of texts) {
    const res = await upstream.request({ method: 'POST', path: '/api/citizens/lookup', headers: { 'content-type': 'application/json' }, body: t })
    answers.push(await res.body.text())
  }
  const datas = answers.map((a) => JSON.parse(a) as unknown)
  const call = async (i: number): Promise<unknown> => {
    const res = await upstream.request({ method: 'POST', path: '/api/citizens/lookup', headers: { 'content-type': 'application/json' }, body: texts[i % 5] })
    return await res.body.json()
  }
  out.push(await perOp('request body parse (JSON.parse)', 20_000, (i) => JSON.parse(texts[i % 5])))
  out.push(await perOp('request validation (ajv, citizen.lookup.request)', 20_000, (i) => validator.validate(service.requestSchemaId, requests[i % 5], 'body')))
  const grants = ['land.parcel', 'tax.lookup', 'citizen.lookup']
  out.push(await perOp('routing: service, grant, subjects', 20_000, (i) => {
    const svc = getService('citizen.lookup')
    return svc !== undefined && grants.includes(svc.id) ? subjectValues(svc, requests[i % 5]) : undefined
  }))
  out.push(await perOp('upstream call, undici Pool request + JSON body (this side only)', 2_000, call))
  out.push(await perOp('upstream answer parse (JSON.parse)', 20_000, (i) => JSON.parse(answers[i % 5])))
  out.push(await perOp('response validation (ajv, citizen.lookup.response)', 20_000, (i) => validator.validate(service.responseSchemaId, datas[i % 5])))
  out.push(await perOp('envelope + JSON.stringify', 20_000, (i) => JSON.stringify({
    data: datas[i % 5], meta: { service: service.id, connector: 'citizen', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', durationMs: 1.2 }
  })))

  // metrics: two histograms with attribute objects per lookup, as src/plugins/telemetry.ts records them
  const provider = new MeterProvider({ readers: [newPrometheusReader()] })
  const meter = provider.getMeter('bench')
  const h1 = meter.createHistogram('bench.lookup.duration', { unit: 's' })
  const h2 = meter.createHistogram('bench.attempt.duration', { unit: 's' })
  out.push(await perOp('metrics: 2 histogram records with attribute objects', 20_000, (i) => {
    h1.record(0.001 * (i % 50), { service: 'citizen.lookup', connector: 'citizen', status: 200 })
    h2.record(0.001 * (i % 40), { service: 'citizen.lookup', connector: 'citizen', outcome: 'ok' })
  }))
  await provider.shutdown()

  // logging: fastify makes a pino child per request (its `reqId`); the access-log line of src/plugins/access-log.ts
  const devnull = pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 })
  await once(devnull, 'ready')
  const logger = pino({ ...(loggerOptions('info') as object) }, devnull)
  out.push(await perOp('logger child per request (fastify reqId)', 20_000, (i) => logger.child({ reqId: `req-${i}` })))
  const child = logger.child({ reqId: 'req-1' })
  out.push(await perOp('access-log line through the request\'s logger, redaction on (before issue 19)', 20_000, (i) => {
    child.info({ method: 'POST', path: '/v1/lookups/citizen.lookup', status: 200, ms: 1.2 + (i % 7), traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }, 'request')
  }))
  // src/plugins/access-log.ts: the server's logger without redaction, the request id a field of the line
  const lines = logger.child({}, { redact: { paths: [] } })
  out.push(await perOp('access-log line through the unredacted line logger (now)', 20_000, (i) => {
    lines.info({ reqId: 'req-1', method: 'POST', path: '/v1/lookups/citizen.lookup', status: 200, ms: 1.2 + (i % 7), traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }, 'request')
  }))
  devnull.flushSync()

  // limits: the per-second rate and the daily quota, counted here and synchronised with Redis every 50 ms
  const redis = new Redis(ctx.services.redisUrl, { lazyConnect: false })
  const counters = new SharedCounters(redis, { syncMs: 50, staleMs: 1000, failOpen: true, onSyncError: () => {} })
  out.push(await perOp('limits: rate + quota counters (2 hits)', 20_000, async () => {
    await counters.hit('bench:rl:c:citizen.lookup', 1000)
    await counters.hit('bench:quota:c:citizen.lookup', 86_400_000, 7 * 3_600_000)
  }))
  await counters.close()
  redis.disconnect()

  out.push(await perOp('connection-free: Date + performance.now + ids (per request)', 20_000, () => [Date.now(), performance.now(), crypto.randomUUID()]))

  // the audit thread's work per event (keyed hashes, canonical text) and PostgreSQL's per event appended
  const keys = new AuditKeyring('bench-audit-key-0123456789abcdef0123456789')
  const event = (i: number): Parameters<typeof prepare>[0] => lookupAuditInput(i, texts[i % 5], answers[i % 5], subjectValues(service, requests[i % 5]))
  out.push(await perOp('audit event preparation (audit thread: keyed hashes, canonical text)', 5_000, (i) => prepare(event(i), keys)))

  // PostgreSQL per event appended: the writer as shipped (COPY), the previous audit_append(), the writer without
  // the GIN on subjects and without any secondary index, and the set-insert prototype — each on its own database, in alternated rounds, median of 3
  type Variant = { label: string, pool: pg.Pool, append: (events: PreparedEvent[]) => Promise<unknown> }
  const variants: Variant[] = []
  const made = async (label: string, setup: (pool: pg.Pool) => Promise<unknown>, append?: (pool: pg.Pool, events: PreparedEvent[]) => Promise<unknown>): Promise<void> => {
    const pool = new pg.Pool({ connectionString: await ctx.services.database('bench_stages_audit'), max: 2 })
    await migrate(pool)
    await setup(pool)
    const store = new AuditStore(pool)
    variants.push({ label, pool, append: append !== undefined ? async (events) => await append(pool, events) : async (events) => await store.append(events, false) })
  }
  let n = 0
  try {
    await made('the writer as shipped (chain in the writer, COPY)', async () => {})
    await made('audit_append() (the write before 2026-12-05, still in the schema for older gateways)', async () => {}, previousAppend)
    await made('the writer, without the GIN on subjects', async (p) => await p.query('DROP INDEX audit_events_subjects'))
    await made('the writer, without any secondary index', async (p) => await p.query('DROP INDEX audit_events_subjects, audit_events_seq, audit_events_trace, audit_events_client, audit_events_case'))
    await made('redesign prototype: chain in the writer, bytea, set insert, subjects side table, BRIN on time (bench/lib/audit-write-prototype.ts)', createPrototype, prototypeAppend)
    for (const batch of [40, 200]) {
      const batches = batch === 40 ? 40 : 8
      const per = new Map<string, { pg: number[], me: number[] }>()
      for (let round = 0; round < 3; round++) {
        for (const v of round % 2 === 0 ? variants : [...variants].reverse()) {
          const prepared = Array.from({ length: batches + 1 }, () => Array.from({ length: batch }, () => prepare(event(n++), keys)))
          await v.append(prepared[0])
          const pg0 = serversCpuMs().postgres
          const me0 = cpuUs()
          for (const b of prepared.slice(1)) await v.append(b)
          const events = batches * batch
          const m = per.get(v.label) ?? { pg: [], me: [] }
          m.pg.push((serversCpuMs().postgres - pg0) * 1000 / events)
          m.me.push((cpuUs() - me0) / events)
          per.set(v.label, m)
        }
      }
      for (const [label, m] of per) {
        m.pg.sort((a, b) => a - b)
        m.me.sort((a, b) => a - b)
        out.push({ stage: `PostgreSQL per audit event, ${label}, batches of ${batch}`, us: r2(m.pg[1]), min: r2(m.pg[0]), max: r2(m.pg[2]) })
        out.push({ stage: `writer's side per event (hashing if any, pg protocol), ${label}, batches of ${batch}`, us: r2(m.me[1]), min: r2(m.me[0]), max: r2(m.me[2]) })
      }
    }
  } finally {
    for (const v of variants) await v.pool.end()
  }
  await upstream.close()
  return out
}
