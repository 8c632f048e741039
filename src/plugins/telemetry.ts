import fp from 'fastify-plugin'
import { metrics, type BatchObservableResult, type Meter } from '@opentelemetry/api'
import { MeterProvider, type MetricReader } from '@opentelemetry/sdk-metrics'
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node'
import { hasSharedPrometheusReader, newPrometheusReader, prometheusText, sharedPrometheusReader } from '../tracing/prometheus.js'
import { flushTracing, tracingActive } from '../tracing/trace-context.js'
import { peekLookupRecord } from '../audit/lookup-audit.js'
import { OPEN_STATUSES, openDeliveryCounts } from '../deliveries/counts.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The gateway's OpenTelemetry meter (served on /metrics): other plugins add their instruments to it. */
    meter: Meter
  }
}

const SECONDS = { advice: { explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] } }
const CIRCUIT = { closed: 0, 'half-open': 1, open: 2 } as const

/**
 * Metrics through the OpenTelemetry API, served as Prometheus text on GET /metrics and, when the SDK exports,
 * sent by OTLP as well: HTTP requests, lookups and connector attempts (counts and latency histograms per
 * service and connector), circuit state per connector, audit buffer depth and writes, queue depth, retries and
 * dead letters of the deliveries, and the Node.js runtime. Prometheus names carry their unit (`_seconds`, `_bytes`).
 */
export default fp(async function telemetry (app) {
  let reader: MetricReader
  let meter: Meter
  let own: MeterProvider | undefined
  if (tracingActive() && hasSharedPrometheusReader()) {
    reader = sharedPrometheusReader()
    meter = metrics.getMeter('lienthong-gateway')
  } else {
    reader = newPrometheusReader()
    own = new MeterProvider({ readers: [reader] })
    meter = own.getMeter('lienthong-gateway')
  }

  // Node.js runtime metrics (event loop delay and utilisation, GC durations, heap spaces, active resources): the
  // OpenTelemetry runtime instrumentation, reading perf_hooks and v8 when scraped (it patches no module).
  const runtime = new RuntimeNodeInstrumentation({ enabled: false, monitoringPrecision: 10 })
  runtime.setMeterProvider(own ?? metrics.getMeterProvider())
  runtime.enable()
  app.decorate('meter', meter)

  // Histograms carry their counts (`_count`): no separate counters to update on the request path.
  const httpDuration = meter.createHistogram('lienthong.http.duration', { unit: 's', description: 'HTTP requests other than lookups, by route and status', ...SECONDS })
  const lookupDuration = meter.createHistogram('lienthong.lookup.duration', { unit: 's', description: 'Lookups by service, connector and status', ...SECONDS })
  const attempts = meter.createHistogram('lienthong.connector.attempt.duration', { unit: 's', description: 'Connector call attempts of lookups, by service, connector and outcome', ...SECONDS })

  // A callback hook (no promise per response).
  app.addHook('onResponse', (request, reply, done) => {
    const seconds = reply.elapsedTime / 1000
    const rec = peekLookupRecord(request)
    if (rec?.service === undefined) {
      const route = request.routeOptions.url ?? 'unmatched'
      if (route !== '/metrics') httpDuration.record(seconds, { method: request.method, route, status: reply.statusCode })
    } else {
      const last = rec.attempts[rec.attempts.length - 1]
      lookupDuration.record(seconds, { service: rec.service, connector: rec.connector ?? last?.connector ?? 'none', status: reply.statusCode })
      for (const a of rec.attempts) {
        attempts.record(a.durationMs / 1000, { service: rec.service, connector: a.connector, outcome: a.ok ? 'ok' : a.failure ?? 'error' })
      }
    }
    done()
  })

  const circuit = meter.createObservableGauge('lienthong.connector.circuit.state', { description: 'Circuit breaker per connector: 0 closed, 1 half-open, 2 open' })
  const calls = meter.createObservableCounter('lienthong.connector.calls', { description: 'Connector calls (lookups and deliveries) since the instance started' })
  const callErrors = meter.createObservableCounter('lienthong.connector.errors', { description: 'Failed connector calls since the instance started' })
  const depth = meter.createObservableGauge('lienthong.audit.buffer.depth', { description: 'Audit events waiting to be written' })
  const written = meter.createObservableCounter('lienthong.audit.events.written', { description: 'Audit events written' })
  const failed = meter.createObservableCounter('lienthong.audit.write.failures', { description: 'Failed audit batch writes' })
  const dbDown = meter.createObservableGauge('lienthong.audit.database.down', { description: '1 while audit writes fail' })
  const queueJobs = meter.createObservableGauge('lienthong.queue.jobs', { description: 'BullMQ jobs of the delivery queue by state' })
  const deliveries = meter.createObservableGauge('lienthong.deliveries', { description: 'Deliveries not yet done by status (retrying; failed = dead letters)' })

  const observeConnectors = (r: BatchObservableResult): void => {
    for (const inst of app.connectors.list()) {
      const s = inst.stats.snapshot()
      r.observe(circuit, CIRCUIT[inst.circuit], { connector: inst.id })
      r.observe(calls, s.calls, { connector: inst.id })
      r.observe(callErrors, s.errors, { connector: inst.id })
    }
  }
  const observeAudit = (r: BatchObservableResult): void => {
    const w = app.auditTrail.writer
    r.observe(depth, w.depth)
    r.observe(written, w.stats.written)
    r.observe(failed, w.stats.failedFlushes)
    r.observe(dbDown, w.stats.down ? 1 : 0)
  }
  const observeQueues = async (r: BatchObservableResult): Promise<void> => {
    if (!app.hasDecorator('queues')) return
    const counts = await app.queues.deliveries.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized')
    for (const [state, n] of Object.entries(counts)) r.observe(queueJobs, n, { queue: 'deliveries', state })
    const open = await openDeliveryCounts(app.db)
    for (const status of OPEN_STATUSES) r.observe(deliveries, open[status], { status })
  }
  const observe = async (r: BatchObservableResult): Promise<void> => {
    if (app.hasDecorator('connectors')) observeConnectors(r)
    if (app.hasDecorator('auditTrail')) observeAudit(r)
    // Redis or PostgreSQL slow: the scrape answers without the queue figures rather than wait for them.
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, 1000) })
    await Promise.race([observeQueues(r), late])
      .catch((err) => app.log.debug({ err: (err as Error).message }, 'queue metrics unavailable'))
      .finally(() => clearTimeout(timer))
  }
  meter.addBatchObservableCallback(observe, [circuit, calls, callErrors, depth, written, failed, dbDown, queueJobs, deliveries])

  app.get('/metrics', {
    schema: {
      tags: ['operations'],
      summary: 'Prometheus metrics',
      security: [],
      response: { 200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } } }
    }
  }, async (_request, reply) => {
    return await reply.type('text/plain; version=0.0.4; charset=utf-8').send(await prometheusText(reader))
  })

  app.addHook('onClose', async () => {
    meter.removeBatchObservableCallback(observe, [circuit, calls, callErrors, depth, written, failed, dbDown, queueJobs, deliveries])
    runtime.disable()
    await own?.shutdown()
    await flushTracing()
  })
}, { name: 'telemetry', dependencies: ['config'] })
