import type { Env, Read } from './env.js'

const OTLP_PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'] as const
export type OtlpProtocol = typeof OTLP_PROTOCOLS[number]
const EXPORTERS = ['otlp', 'console', 'none'] as const
export type OtelExporter = typeof EXPORTERS[number]
/** The OTEL_PROPAGATORS names the gateway knows (the specification's, less the deprecated ot-trace and xray). */
const PROPAGATORS = 'tracecontext|baggage|b3|b3multi|jaeger|none'

/** The OpenTelemetry settings (the standard OTEL_* variables the gateway acts on), as declared to env-schema. */
export const OTEL_ENV = {
  OTEL_SDK_DISABLED: { type: 'boolean', default: false },
  OTEL_SERVICE_NAME: { type: 'string', default: 'lienthong-gateway' },
  OTEL_EXPORTER_OTLP_ENDPOINT: { type: 'string' },
  OTEL_TRACES_SAMPLER: { type: 'string', enum: ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'], default: 'parentbased_traceidratio' },
  OTEL_TRACES_SAMPLER_ARG: { type: 'number', minimum: 0, maximum: 1, default: 0.1 },
  OTEL_TRACES_EXPORTER: { type: 'string', enum: EXPORTERS, default: 'otlp' },
  OTEL_METRICS_EXPORTER: { type: 'string', enum: EXPORTERS, default: 'otlp' },
  OTEL_EXPORTER_OTLP_PROTOCOL: { type: 'string', enum: OTLP_PROTOCOLS, default: 'http/protobuf' },
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: { type: 'string', enum: OTLP_PROTOCOLS },
  OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: { type: 'string', enum: OTLP_PROTOCOLS },
  OTEL_PROPAGATORS: { type: 'string', pattern: `^\\s*(${PROPAGATORS})(\\s*,\\s*(${PROPAGATORS}))*\\s*$`, default: 'tracecontext,baggage' },
  OTEL_RESOURCE_ATTRIBUTES: { type: 'string', default: '' },
  OTEL_METRIC_EXPORT_INTERVAL: { type: 'integer', minimum: 1, default: 60000 },
  OTEL_METRIC_EXPORT_TIMEOUT: { type: 'integer', minimum: 1, default: 30000 }
} as const

/**
 * OpenTelemetry (src/tracing.ts). The OTLP exporters read their own endpoint, headers, timeout and compression
 * variables, the batch span processor its OTEL_BSP_* ones.
 */
export interface OtelConfig {
  disabled: boolean
  serviceName: string
  endpoint?: string
  /**
   * Which traces are recorded (the standard OTEL_TRACES_SAMPLER / _ARG; here 10 % of new traces by default, and
   * every trace a caller marked sampled). Unsampled requests still carry and forward their trace context, and the
   * audit trail records every exchange with its trace id whatever the sampler decides.
   */
  sampler?: { name: string, ratio: number }
  /** OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER (default otlp: only when `endpoint` is set). */
  tracesExporter?: OtelExporter
  metricsExporter?: OtelExporter
  /** OTEL_EXPORTER_OTLP_{TRACES,METRICS}_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL (default http/protobuf). */
  tracesProtocol?: OtlpProtocol
  metricsProtocol?: OtlpProtocol
  /** OTEL_RESOURCE_ATTRIBUTES (`key=value,…`, values percent-encoded), under the service name. */
  resourceAttributes?: Record<string, string>
  /** OTEL_PROPAGATORS (default tracecontext, baggage; `none` alone: none). */
  propagators?: string[]
  /** OTEL_METRIC_EXPORT_INTERVAL / _TIMEOUT (ms). */
  metricExport?: { intervalMs: number, timeoutMs: number }
}

export function otelConfig (e: Env, str: Read): OtelConfig {
  return {
    disabled: e.OTEL_SDK_DISABLED as boolean,
    serviceName: e.OTEL_SERVICE_NAME as string,
    endpoint: str('OTEL_EXPORTER_OTLP_ENDPOINT'),
    sampler: { name: e.OTEL_TRACES_SAMPLER as string, ratio: e.OTEL_TRACES_SAMPLER_ARG as number },
    tracesExporter: e.OTEL_TRACES_EXPORTER as OtelExporter,
    metricsExporter: e.OTEL_METRICS_EXPORTER as OtelExporter,
    tracesProtocol: (e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL) as OtlpProtocol,
    metricsProtocol: (e.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL) as OtlpProtocol,
    resourceAttributes: resourceAttributes(e.OTEL_RESOURCE_ATTRIBUTES as string),
    propagators: (e.OTEL_PROPAGATORS as string).split(',').map((p) => p.trim()).filter((p) => p !== 'none'),
    // the SDK refuses a timeout longer than the interval
    metricExport: { intervalMs: e.OTEL_METRIC_EXPORT_INTERVAL as number, timeoutMs: Math.min(e.OTEL_METRIC_EXPORT_TIMEOUT as number, e.OTEL_METRIC_EXPORT_INTERVAL as number) }
  }
}

/** OTEL_RESOURCE_ATTRIBUTES as the OpenTelemetry specification writes it: `key=value` pairs, values percent-encoded. */
function resourceAttributes (list: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of list.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const at = pair.indexOf('=')
    const key = pair.slice(0, at).trim()
    let value: string | undefined
    try { value = decodeURIComponent(pair.slice(at + 1).trim()) } catch { value = undefined }
    if (at <= 0 || key === '' || value === undefined) throw new Error(`OTEL_RESOURCE_ATTRIBUTES: "${pair}" is not key=value (values percent-encoded)`)
    out[key] = value
  }
  return out
}
