import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus'
import { DataPointType, type MetricData, type MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics'

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

/** Prometheus base-unit words of the UCUM units the gateway's instruments and the runtime metrics use. */
const UNIT_WORDS: Record<string, string> = {
  s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds', By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', '%': 'percent'
}

/**
 * The suffix a Prometheus name takes for an OpenTelemetry unit, as the OpenTelemetry specification's Prometheus
 * compatibility asks of exporters (`s` → `_seconds`, `By` → `_bytes`, `1` → `_ratio` for a gauge; `{…}`
 * annotations add nothing), which the exporter of this SDK version does not do itself.
 */
export function unitSuffix (unit: string, gauge: boolean): string | undefined {
  const bare = unit.replace(/\{[^}]*\}/g, '')
  if (bare === '1') return gauge ? 'ratio' : undefined
  return UNIT_WORDS[bare]
}

function withUnitSuffixes (resourceMetrics: ResourceMetrics): ResourceMetrics {
  return {
    ...resourceMetrics,
    scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
      ...scope,
      metrics: scope.metrics.map((m) => {
        const suffix = unitSuffix(m.descriptor.unit, m.dataPointType === DataPointType.GAUGE)
        const name = m.descriptor.name
        if (suffix === undefined || name.endsWith(`_${suffix}`) || name.endsWith(`.${suffix}`)) return m
        return { ...m, descriptor: { ...m.descriptor, name: `${name}_${suffix}` } } as MetricData
      })
    }))
  }
}

/** Prometheus text exposition of everything the reader's MeterProvider holds, names with their unit suffix. */
export async function prometheusText (reader: MetricReader): Promise<string> {
  const { resourceMetrics } = await reader.collect()
  return serializer.serialize(withUnitSuffixes(resourceMetrics))
}
