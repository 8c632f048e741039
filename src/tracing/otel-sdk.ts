import { metrics, trace } from '@opentelemetry/api'
import { NodeSDK, tracing } from '@opentelemetry/sdk-node'
// Not in the package's public index; pinned with the SDK: builds the OTLP metric reader from the OTEL_* variables.
import { getOtlpMetricExporterFromEnv, getPeriodicExportingMetricReaderFromEnv } from '@opentelemetry/sdk-node/build/src/utils.js'
import type { Config } from '../config.js'
import { idGenerator, markTracingActive, setTracingFlush } from './trace-context.js'
import { sharedPrometheusReader } from './prometheus.js'
import { SyncContextManager } from './sync-context.js'

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

interface Flushable { forceFlush?: () => Promise<void> }

export interface TracingOptions {
  /** Span processors to use instead of the configured export (tests: an in-memory exporter). */
  spanProcessors?: tracing.SpanProcessor[]
}

/**
 * OpenTelemetry for the gateway, configured by the standard OTEL_* variables (service name, sampler,
 * propagators, OTLP protocol and headers). Spans and metrics leave the process only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set; without it spans are still made (trace ids, propagation to connectors and
 * queued jobs) and dropped, and metrics are served on /metrics only.
 *
 * The spans are the gateway's own, made with the OTel API and handed on explicitly (trace-context.ts): a SERVER span
 * per request, a CLIENT span per sampled connector call (client-span.ts), a CONSUMER span per delivery job. No
 * instrumentation is loaded and the context manager never touches AsyncLocalStorage (sync-context.ts explains
 * what that saves).
 */
export function startTracing (otel: Config['otel'], opts: TracingOptions = {}): NodeSDK | undefined {
  if (otel.disabled) return undefined
  const exporting = otel.endpoint !== undefined
  const dropAll: tracing.SpanProcessor = { onStart () {}, onEnd () {}, forceFlush: async () => {}, shutdown: async () => {} }
  const sdk = new NodeSDK({
    serviceName: otel.serviceName,
    ...(otel.sampler !== undefined ? { sampler: samplerOf(otel.sampler) } : {}),
    // ids from crypto-random batches (the SDK's own draws Math.random and converts each id on its own)
    idGenerator,
    // undefined: the SDK builds the OTLP span exporter from the OTEL_* variables
    spanProcessors: opts.spanProcessors ?? (exporting ? undefined : [dropAll]),
    metricReaders: [sharedPrometheusReader(), ...(exporting ? [getPeriodicExportingMetricReaderFromEnv(getOtlpMetricExporterFromEnv())] : [])],
    logRecordProcessors: [],
    instrumentations: [],
    contextManager: new SyncContextManager()
  })
  sdk.start()
  markTracingActive()
  // The app flushes spans and metrics when it closes (graceful shutdown), before the process exits.
  setTracingFlush(async () => {
    const tracer = trace.getTracerProvider() as { getDelegate?: () => Flushable }
    await Promise.allSettled([tracer.getDelegate?.().forceFlush?.(), (metrics.getMeterProvider() as Flushable).forceFlush?.()])
  })
  return sdk
}
