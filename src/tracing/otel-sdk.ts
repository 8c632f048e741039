import { context, metrics, propagation, trace } from '@opentelemetry/api'
import { MeterProvider, type MetricReader } from '@opentelemetry/sdk-metrics'
import {
  AlwaysOffSampler, AlwaysOnSampler, BasicTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler,
  type Sampler, type SpanProcessor
} from '@opentelemetry/sdk-trace-base'
import type { Config } from '../config.js'
import { idGenerator, markTracingActive, setTracingFlush } from './trace-context.js'
import { sharedPrometheusReader } from './prometheus.js'
import { SyncContextManager } from './sync-context.js'
import { otlpMetricReader, otlpSpanProcessor, propagatorOf, resourceOf } from './otel-parts.js'

/** The sampler of OTEL_TRACES_SAMPLER's standard names (read in src/config.ts, with the gateway's defaults). */
function samplerOf (s: { name: string, ratio: number }): Sampler {
  const ratio = new TraceIdRatioBasedSampler(s.ratio)
  switch (s.name) {
    case 'always_on': return new AlwaysOnSampler()
    case 'always_off': return new AlwaysOffSampler()
    case 'traceidratio': return ratio
    case 'parentbased_always_on': return new ParentBasedSampler({ root: new AlwaysOnSampler() })
    case 'parentbased_always_off': return new ParentBasedSampler({ root: new AlwaysOffSampler() })
    default: return new ParentBasedSampler({ root: ratio })
  }
}

export interface TracingOptions {
  /** Span processors to use instead of the configured export (tests: an in-memory exporter). */
  spanProcessors?: SpanProcessor[]
}

/** What `startTracing` started: flushed when the app closes, shut down by whoever started it. */
export interface TracingSdk { shutdown: () => Promise<void> }

/**
 * OpenTelemetry for the gateway, configured by the standard OTEL_* variables read in src/config.ts (service name,
 * sampler, propagators, OTLP protocols, exporters; the OTLP exporters read their own endpoint, headers, timeout and
 * compression variables, the batch span processor its OTEL_BSP_* ones). Spans and metrics leave the process only
 * when OTEL_EXPORTER_OTLP_ENDPOINT is set; without it spans are still made (trace ids, propagation to connectors
 * and queued jobs) and dropped, and metrics are served on /metrics only.
 *
 * Built from the trace and metrics SDKs directly rather than `NodeSDK`: NodeSDK loads every exporter, propagator
 * and the declarative-configuration package whether used or not (≈ 15 MB of the process's memory, issue 19); here
 * the OTLP exporter of the configured protocol is loaded only when something is exported (otel-parts.ts).
 *
 * The spans are the gateway's own, made with the OTel API and handed on explicitly (trace-context.ts): a SERVER span
 * per request, a CLIENT span per sampled connector call (client-span.ts), a CONSUMER span per delivery job. No
 * instrumentation is loaded and the context manager never touches AsyncLocalStorage (sync-context.ts explains
 * what that saves).
 */
export async function startTracing (otel: Config['otel'], opts: TracingOptions = {}): Promise<TracingSdk | undefined> {
  if (otel.disabled) return undefined
  const exporting = otel.endpoint !== undefined
  const resource = resourceOf(otel)
  const spanProcessors = opts.spanProcessors ?? [await otlpSpanProcessor(otel, exporting)].filter((p) => p !== undefined)
  const tracerProvider = new BasicTracerProvider({
    resource,
    ...(otel.sampler !== undefined ? { sampler: samplerOf(otel.sampler) } : {}),
    // ids from crypto-random batches (the SDK's own draws Math.random and converts each id on its own)
    idGenerator,
    spanProcessors
  })
  const readers: MetricReader[] = [sharedPrometheusReader()]
  const otlpReader = await otlpMetricReader(otel, exporting)
  if (otlpReader !== undefined) readers.push(otlpReader)
  const meterProvider = new MeterProvider({ resource, readers })

  context.setGlobalContextManager(new SyncContextManager().enable())
  const propagator = await propagatorOf(otel.propagators)
  if (propagator !== undefined) propagation.setGlobalPropagator(propagator)
  trace.setGlobalTracerProvider(tracerProvider)
  metrics.setGlobalMeterProvider(meterProvider)
  markTracingActive()
  // The app flushes spans and metrics when it closes (graceful shutdown), before the process exits.
  setTracingFlush(async () => {
    await Promise.allSettled([tracerProvider.forceFlush(), meterProvider.forceFlush()])
  })
  return {
    async shutdown () {
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()])
    }
  }
}
