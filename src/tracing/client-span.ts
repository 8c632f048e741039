import { DecoratorHandler, type Dispatcher } from 'undici'
import { trace, ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, type Span } from '@opentelemetry/api'
import { activeTracer, formatTraceparent, parseTraceparent, sampledTraceparent } from './trace-context.js'

type Headers = Dispatcher.DispatchOptions['headers']
type Handler = Dispatcher.DispatchHandler
type Controller = Parameters<NonNullable<Handler['onResponseStart']>>[0]
type IncomingHeaders = Parameters<NonNullable<Handler['onResponseStart']>>[2]

/** The `traceparent` of request headers given as an object or as a flat array of names and values. */
function traceparentOf (headers: Headers): string | undefined {
  if (headers === null || headers === undefined) return undefined
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() === 'traceparent') return String(headers[i + 1])
    return undefined
  }
  const value = (headers as Record<string, unknown>).traceparent
  return typeof value === 'string' ? value : undefined
}

function withTraceparent (headers: Headers, value: string): Headers {
  if (Array.isArray(headers)) {
    const out = [...headers] as string[]
    for (let i = 0; i + 1 < out.length; i += 2) if (String(out[i]).toLowerCase() === 'traceparent') out[i + 1] = value
    return out
  }
  return { ...(headers as Record<string, string>), traceparent: value }
}

// Typed for its new-style methods (undici's own interceptors extend it; its published type declares none).
interface Decorated {
  onResponseStart (controller: Controller, statusCode: number, headers: IncomingHeaders, statusMessage?: string): void
  onResponseEnd (controller: Controller, trailers: IncomingHeaders): void
  onResponseError (controller: Controller, error: Error): void
}
const Decorator = DecoratorHandler as unknown as new (handler: Handler) => Decorated

/** Ends the CLIENT span of one call when its response has ended or failed. */
class SpanHandler extends Decorator {
  readonly #span: Span

  constructor (handler: Handler, span: Span) {
    super(handler)
    this.#span = span
  }

  onResponseStart (controller: Controller, statusCode: number, headers: IncomingHeaders, statusMessage?: string): void {
    this.#span.setAttribute('http.response.status_code', statusCode)
    if (statusCode >= 400) this.#span.setStatus({ code: SpanStatusCode.ERROR })
    super.onResponseStart(controller, statusCode, headers, statusMessage)
  }

  onResponseEnd (controller: Controller, trailers: IncomingHeaders): void {
    this.#span.end()
    super.onResponseEnd(controller, trailers)
  }

  onResponseError (controller: Controller, error: Error): void {
    this.#span.setAttribute('error.type', (error as { code?: string }).code ?? error.name)
    this.#span.setStatus({ code: SpanStatusCode.ERROR, message: error.message })
    this.#span.end()
    super.onResponseError(controller, error)
  }
}

/**
 * An undici interceptor for a connector's pool: a call whose `traceparent` header is sampled gets a CLIENT span,
 * child of the span that header names (the request's or the job's), and goes out with the CLIENT span's own
 * `traceparent` instead, so the national system's work hangs under the call. An unsampled call (most, under the
 * default sampler) is left as it is: it forwards the trace context and makes no span. Does nothing without the SDK.
 * A pool composed with it makes undici wrap the handler of every call it takes, so a connector instance sends only
 * its sampled calls through it and the others to the plain pool (src/connectors/runtime/instance.ts).
 *
 * Written here rather than taken from @opentelemetry/instrumentation-undici: that instrumentation finds its parent
 * through the active context, which needs AsyncLocalStorage (see sync-context.ts); this one reads it from the call.
 */
export function clientSpans (poolOrigin: string | URL): Dispatcher.DispatcherComposeInterceptor {
  const origin = new URL(poolOrigin)
  const port = Number(origin.port !== '' ? origin.port : origin.protocol === 'https:' ? 443 : 80)
  return (dispatch) => (opts, handler) => traced(dispatch, opts, handler, origin, port)
}

function traced (dispatch: Dispatcher.Dispatch, opts: Dispatcher.DispatchOptions, handler: Handler, origin: URL, port: number): boolean {
  const tracer = activeTracer()
  const given = tracer !== undefined ? traceparentOf(opts.headers) : undefined
  // most calls are not sampled: told by the header's flags (its last digit) before it is parsed
  const parent = sampledTraceparent(given) ? parseTraceparent(given) : undefined
  if (tracer === undefined || parent === undefined) return dispatch(opts, handler)
  const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: parent.traceId, spanId: parent.spanId, traceFlags: TraceFlags.SAMPLED })
  const span = tracer.startSpan(opts.method, {
    kind: SpanKind.CLIENT,
    // no query string: a national system's API may take identifiers there
    attributes: {
      'http.request.method': opts.method,
      'url.full': `${origin.origin}${opts.path.split('?')[0]}`,
      'server.address': origin.hostname,
      'server.port': port
    }
  }, ctx)
  const sc = span.spanContext()
  const headers = withTraceparent(opts.headers, formatTraceparent({ traceId: sc.traceId, spanId: sc.spanId, flags: '01' }))
  return dispatch({ ...opts, headers }, new SpanHandler(handler, span))
}
