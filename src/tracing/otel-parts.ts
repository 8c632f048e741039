import type { TextMapPropagator } from '@opentelemetry/api'
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core'
import {
  defaultResource, detectResources, hostDetector, osDetector, processDetector, resourceFromAttributes,
  serviceInstanceIdDetector, type Resource
} from '@opentelemetry/resources'
import { ConsoleMetricExporter, PeriodicExportingMetricReader, type MetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics'
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { OtelConfig } from '../config.js'

/**
 * The parts of the OpenTelemetry set-up that depend on the OTEL_* variables (src/config.ts reads and checks them).
 * Exporters and the non-W3C propagators are imported only when configured: each OTLP protocol is its own package
 * (gRPC brings @grpc/grpc-js), and a process that exports nothing should not carry them.
 */

type Otel = OtelConfig
type Protocol = 'grpc' | 'http/protobuf' | 'http/json'

/**
 * The SDK's own attributes (telemetry.sdk.*), the standard detectors' (host, os, process, a service instance id),
 * OTEL_RESOURCE_ATTRIBUTES (read by src/config.ts, not by the SDK's environment detector), the service name.
 */
export function resourceOf (otel: Otel): Resource {
  const detected = detectResources({ detectors: [hostDetector, osDetector, processDetector, serviceInstanceIdDetector] })
  return defaultResource().merge(detected)
    .merge(resourceFromAttributes({ ...otel.resourceAttributes, 'service.name': otel.serviceName }))
}

async function otlpSpanExporter (protocol: Protocol): Promise<SpanExporter> {
  switch (protocol) {
    case 'grpc': return new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter()
    case 'http/json': return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter()
    case 'http/protobuf': return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter()
  }
}

async function otlpMetricExporter (protocol: Protocol): Promise<PushMetricExporter> {
  switch (protocol) {
    case 'grpc': return new (await import('@opentelemetry/exporter-metrics-otlp-grpc')).OTLPMetricExporter()
    case 'http/json': return new (await import('@opentelemetry/exporter-metrics-otlp-http')).OTLPMetricExporter()
    case 'http/protobuf': return new (await import('@opentelemetry/exporter-metrics-otlp-proto')).OTLPMetricExporter()
  }
}

/** OTEL_TRACES_EXPORTER: `otlp` (when an OTLP endpoint is set; batched), `console` (each span as it ends), `none`. */
export async function otlpSpanProcessor (otel: Otel, exporting: boolean): Promise<SpanProcessor | undefined> {
  const exporter = otel.tracesExporter ?? 'otlp'
  if (exporter === 'console') return new SimpleSpanProcessor(new ConsoleSpanExporter())
  if (exporter === 'none' || !exporting) return undefined
  return new BatchSpanProcessor(await otlpSpanExporter(otel.tracesProtocol ?? 'http/protobuf'))
}

/** OTEL_METRICS_EXPORTER: `otlp` (when an OTLP endpoint is set), `console`, `none`; /metrics is served in every case. */
export async function otlpMetricReader (otel: Otel, exporting: boolean): Promise<MetricReader | undefined> {
  const kind = otel.metricsExporter ?? 'otlp'
  if (kind === 'none' || (kind === 'otlp' && !exporting)) return undefined
  const exporter = kind === 'console' ? new ConsoleMetricExporter() : await otlpMetricExporter(otel.metricsProtocol ?? 'http/protobuf')
  return new PeriodicExportingMetricReader({
    exporter,
    ...(otel.metricExport !== undefined ? { exportIntervalMillis: otel.metricExport.intervalMs, exportTimeoutMillis: otel.metricExport.timeoutMs } : {})
  })
}

/** OTEL_PROPAGATORS (default `tracecontext,baggage`); `none` alone registers none. */
export async function propagatorOf (names: readonly string[] = ['tracecontext', 'baggage']): Promise<TextMapPropagator | undefined> {
  const made: TextMapPropagator[] = []
  for (const name of new Set(names)) {
    switch (name) {
      case 'tracecontext': made.push(new W3CTraceContextPropagator()); break
      case 'baggage': made.push(new W3CBaggagePropagator()); break
      case 'b3': made.push(new (await import('@opentelemetry/propagator-b3')).B3Propagator()); break
      case 'b3multi': {
        const b3 = await import('@opentelemetry/propagator-b3')
        made.push(new b3.B3Propagator({ injectEncoding: b3.B3InjectEncoding.MULTI_HEADER }))
        break
      }
      case 'jaeger': made.push(new (await import('@opentelemetry/propagator-jaeger')).JaegerPropagator()); break
    }
  }
  if (made.length === 0) return undefined
  return made.length === 1 ? made[0] : new CompositePropagator({ propagators: made })
}
