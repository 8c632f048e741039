import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus'
import type { MetricReader } from '@opentelemetry/sdk-metrics'

/**
 * The Prometheus reader of the process. With the SDK loaded (src/tracing.ts) it is one of the global
 * MeterProvider's readers, next to the OTLP one, so /metrics and OTLP carry the same instruments; without the
 * SDK the telemetry plugin gives each app a private MeterProvider with its own reader.
 */
let shared: PrometheusExporter | undefined

export function sharedPrometheusReader (): PrometheusExporter {
  shared ??= new PrometheusExporter({ preventServerStart: true })
  return shared
}

export const hasSharedPrometheusReader = (): boolean => shared !== undefined

export const newPrometheusReader = (): PrometheusExporter => new PrometheusExporter({ preventServerStart: true })

const serializer = new PrometheusSerializer(undefined, false, undefined, true, true)

/** Prometheus text exposition of everything the reader's MeterProvider holds. */
export async function prometheusText (reader: MetricReader): Promise<string> {
  const { resourceMetrics } = await reader.collect()
  return serializer.serialize(resourceMetrics)
}
