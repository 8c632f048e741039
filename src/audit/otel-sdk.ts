import { createNoopMeter, metrics, trace } from '@opentelemetry/api'
import { NodeSDK, tracing } from '@opentelemetry/sdk-node'
import { FastifyOtelInstrumentation } from '@fastify/otel'
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici'
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg'
// Not in the package's public index; pinned with the SDK: builds the OTLP metric reader from the OTEL_* variables.
import { getOtlpMetricExporterFromEnv, getPeriodicExportingMetricReaderFromEnv } from '@opentelemetry/sdk-node/build/src/utils.js'
import type { Config } from '../config.js'
import { markTracingActive, setTracingFlush } from './trace-context.js'
import { sharedPrometheusReader } from './prometheus.js'

/** The sampler of OTEL_TRACES_SAMPLER's standard names (read in src/config.ts, with the gateway's defaults). */
function samplerOf (s: { name: string, ratio: number }): tracing.Sampler {
  const ratio = new tracing.TraceIdRatioBasedSampler(s.ratio)
  switch (s.name) {
    case 'always_on': return new tracing.AlwaysOnSampler()
    case 'always_off': return new tracing.AlwaysOffSampler()
    case 'traceidratio': return ratio
    case 'parentbased_always_on': return new tracing.ParentBasedSampler({ root: new tracing.AlwaysOnSampler() })
    case 'parentbased_always_off': return new tracing.ParentBasedSampler({ root: new tracing.AlwaysOffSampler() })
    default: return new tracing.ParentBasedSampler({ root: ratio })
  }
}

/** `/health/*`, `/metrics` and the docs are not traced. */
const untraced = (url: string | undefined): boolean => /^\/(health|metrics|docs)(\/|$|\?)/.test(url ?? '')

/**
 * A header a caller already set (an unsampled lookup, a worker forwarding a job's trace): the instrumentation must
 * not add a second, and leaves the call alone.
 */
function hasTraceparent (headers: unknown): boolean {
  if (Array.isArray(headers)) return headers.some((h, i) => i % 2 === 0 && String(h).toLowerCase() === 'traceparent')
  return typeof headers === 'string' && /(^|\r\n)traceparent:/i.test(headers)
}

interface Flushable { forceFlush?: () => Promise<void> }

export interface TracingOptions {
  /** Span processors to use instead of the configured export (tests: an in-memory exporter). */
  spanProcessors?: tracing.SpanProcessor[]
}

/**
 * OpenTelemetry for the gateway, configured by the standard OTEL_* variables (service name, sampler,
 * propagators, OTLP protocol and headers). Spans and metrics leave the process only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set; without it spans are still made (trace ids, propagation to connectors and
 * queued jobs) and dropped, and metrics are served on /metrics only. `pg` is a CommonJS package: Node 20 loads it
 * through `require` even from ESM, so its instrumentation patches without an ESM loader hook — as long as this
 * runs before it is first imported (`node --import`).
 */
export function startTracing (otel: Config['otel'], opts: TracingOptions = {}): NodeSDK | undefined {
  if (otel.disabled) return undefined
  const exporting = otel.endpoint !== undefined
  const dropAll: tracing.SpanProcessor = { onStart () {}, onEnd () {}, forceFlush: async () => {}, shutdown: async () => {} }
  const undici = new UndiciInstrumentation({
    ignoreRequestHook: (request) => hasTraceparent(request.headers),
    requestHook: (span, request) => {
      span.setAttribute('url.full', `${request.origin}${request.path.split('?')[0]}`)
      span.setAttribute('url.query', '')
    }
  })
  const sdk = new NodeSDK({
    serviceName: otel.serviceName,
    ...(otel.sampler !== undefined ? { sampler: samplerOf(otel.sampler) } : {}),
    // undefined: the SDK builds the OTLP span exporter from the OTEL_* variables
    spanProcessors: opts.spanProcessors ?? (exporting ? undefined : [dropAll]),
    metricReaders: [sharedPrometheusReader(), ...(exporting ? [getPeriodicExportingMetricReaderFromEnv(getOtlpMetricExporterFromEnv())] : [])],
    logRecordProcessors: [],
    instrumentations: [
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        // One span per request: no span per hook nor for the handler (the lookup route runs its connector call in
        // the request span's context itself, see withConnectorTrace)
        instrumentHooks: false,
        instrumentHandler: false,
        ignorePaths: (route: { url?: string }) => untraced(route.url),
        // the query string may carry an auditor's `subject` search: never put it in a span
        requestHook: (span, request) => { span.setAttribute('url.path', request.url.split('?')[0]) }
      }),
      undici,
      // PostgreSQL queries made for a request (client registry, deliveries) join its trace. Redis is not traced: the
      // rate limiter's call on every request would add a span to each lookup for little insight.
      new PgInstrumentation({ requireParentSpan: true })
    ]
  })
  sdk.start()
  // Connector latency is measured per service and connector by the gateway's own histogram: no second one per call.
  undici.setMeterProvider({ getMeter: () => createNoopMeter() })
  markTracingActive()
  // The app flushes spans and metrics when it closes (graceful shutdown), before the process exits.
  setTracingFlush(async () => {
    const tracer = trace.getTracerProvider() as { getDelegate?: () => Flushable }
    await Promise.allSettled([tracer.getDelegate?.().forceFlush?.(), (metrics.getMeterProvider() as Flushable).forceFlush?.()])
  })
  return sdk
}
