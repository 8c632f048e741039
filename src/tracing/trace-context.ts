import { randomFillSync } from 'node:crypto'
import { propagation, trace, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api'
import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * W3C trace context for the gateway, with or without the OpenTelemetry SDK, passed on explicitly: a request's span
 * is kept on the request, a job's trace context travels in the job, a connector call carries it in its
 * `traceparent` header. Nothing here relies on an active context (see sync-context.ts for why).
 *
 * `src/tracing.ts` (loaded with `node --import`) calls `markTracingActive()` once its tracer provider is
 * registered; from then on the ids are those of OTel spans. Without the SDK (tests, `node dist/src/server.js`),
 * the gateway still honours and forwards the caller's trace context itself.
 */
let tracer: Tracer | undefined
/** The propagators read only `traceparent`, `tracestate` and `baggage` (the W3C ones, the default; or none). */
let w3cOnly = false

export function markTracingActive (): void {
  tracer = trace.getTracer('lienthong-gateway')
  w3cOnly = propagation.fields().every((f) => f === 'traceparent' || f === 'tracestate' || f === 'baggage')
}
export function tracingActive (): boolean { return tracer !== undefined }
/** The gateway's tracer once the SDK is on. */
export function activeTracer (): Tracer | undefined { return tracer }

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)

export interface TraceIds { traceId: string, spanId: string, flags: string }

/** The ids of a valid W3C `traceparent` (version 00), else undefined. */
export function parseTraceparent (value: unknown): TraceIds | undefined {
  const m = typeof value === 'string' ? TRACEPARENT.exec(value) : null
  if (m === null || m[1] === ZERO_TRACE || m[2] === ZERO_SPAN) return undefined
  return { traceId: m[1], spanId: m[2], flags: m[3] }
}

export const formatTraceparent = (ids: { traceId: string, spanId: string, flags?: string }): string =>
  `00-${ids.traceId}-${ids.spanId}-${ids.flags ?? '01'}`

/**
 * Whether a `traceparent` header (version 00: 55 characters) has the sampled bit, told by its last hex digit alone,
 * without parsing: most calls are not sampled. A header that passes may still be malformed (parseTraceparent tells).
 */
export function sampledTraceparent (value: string | undefined): boolean {
  if (value === undefined || value.length !== 55) return false
  const c = value.charCodeAt(54)
  // '0'-'9' (48-57): the digit's low bit is the code's; 'a'-'f' (97-102) are 10-15, odd codes for even digits
  return (c <= 57 ? c & 1 : ~c & 1) === 1
}

/**
 * Random ids of `size` bytes as lowercase hex, never all zero (not a valid W3C id), cut from a buffer that
 * `randomFillSync` refills `count` ids at a time: one fill and one hex conversion per batch instead of per id,
 * then a slice of the batch's hex per id.
 */
export class RandomHexIds {
  readonly #size: number
  readonly #bytes: Buffer
  readonly #fill: (b: Buffer) => unknown
  #hex = ''
  #left = 0

  constructor (size: number, count = 128, fill: (b: Buffer) => unknown = randomFillSync) {
    this.#size = size
    this.#bytes = Buffer.alloc(size * count)
    this.#fill = fill
  }

  next (): string {
    if (this.#left === 0) this.#refill()
    const at = --this.#left * this.#size * 2
    return this.#hex.slice(at, at + this.#size * 2)
  }

  #refill (): void {
    const b = this.#bytes
    const size = this.#size
    this.#fill(b)
    for (let at = 0; at < b.length; at += size) {
      let i = at
      while (i < at + size && b[i] === 0) i++
      if (i === at + size) b[at + size - 1] = 1 // all zero: made valid the way the SDK's own generator does
    }
    this.#hex = b.toString('hex')
    this.#left = b.length / size
  }
}

const traceIds = new RandomHexIds(16)
const spanIds = new RandomHexIds(8)

/** The NodeSDK's id generator (otel-sdk.ts): the ids of every span, cryptographically random, drawn in batches. */
export const idGenerator = {
  generateTraceId: (): string => traceIds.next(),
  generateSpanId: (): string => spanIds.next()
}

/** The ids of a span (its sampled flag as W3C flags). */
function idsOf (span: Span): TraceIds {
  const sc = span.spanContext()
  return { traceId: sc.traceId, spanId: sc.spanId, flags: (sc.traceFlags & 1) === 1 ? '01' : '00' }
}

/** This hop's ids without the SDK: the caller's trace id (a valid `traceparent`) or a new one, with a new span id. */
function childIds (parent: TraceIds | undefined): TraceIds {
  return { traceId: parent?.traceId ?? traceIds.next(), spanId: spanIds.next(), flags: parent?.flags ?? '01' }
}

/** `/health/*`, `/metrics` and the docs are not traced (told by the path's first letter before the pattern). */
function untraced (url: string): boolean {
  const c = url.charCodeAt(1)
  return (c === 104 || c === 109 || c === 100) && /^\/(health|metrics|docs)(\/|$|\?)/.test(url)
}

/** Where a request keeps its span; declared with the request's other properties by the request-context plugin. */
export const kRequestSpan = Symbol('lienthong.requestSpan')
type WithSpan = FastifyRequest & { [kRequestSpan]?: Span }

/**
 * This hop's trace context. With the SDK on (and a traced path), a SERVER span is started for the request, a
 * child of the caller's `traceparent` when it sent one (or a new trace, sampled by the configured sampler); it is
 * kept on the request and ended by `endRequestSpan`. Otherwise the caller's trace id or a new one.
 */
export function requestTraceIds (request: FastifyRequest): TraceIds {
  if (tracer !== undefined && !untraced(request.url)) {
    const h = request.headers
    // W3C propagators find nothing in a request without `traceparent` and `baggage`: the root context, unextracted
    const parent = w3cOnly && h.traceparent === undefined && h.baggage === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, h)
    // No attributes at the start: the sampler decides without them (ours never read them), and an unsampled span
    // (most) records none, so they are set only on a recording span.
    const span = tracer.startSpan('request', { kind: SpanKind.SERVER }, parent)
    if (span.isRecording()) {
      const url = request.url
      const q = url.indexOf('?')
      // the query string may carry an auditor's `subject` search: never put it in a span
      span.setAttributes({ 'http.request.method': request.method, 'url.path': q === -1 ? url : url.slice(0, q) })
    }
    ;(request as WithSpan)[kRequestSpan] = span
    return idsOf(span)
  }
  return childIds(parseTraceparent(request.headers.traceparent))
}

/**
 * Ends the request's span (if one was started) with its route and status: `onResponse`, or `onRequestAbort` when the
 * caller went away first (no reply).
 */
export function endRequestSpan (request: FastifyRequest, reply?: FastifyReply): void {
  const r = request as WithSpan
  const span = r[kRequestSpan]
  if (span === undefined) return
  r[kRequestSpan] = undefined
  if (!span.isRecording()) return
  const route = request.routeOptions.url
  if (route !== undefined) {
    span.setAttribute('http.route', route)
    span.updateName(`${request.method} ${route}`)
  }
  if (reply === undefined) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'request aborted by the caller' })
  } else {
    span.setAttribute('http.response.status_code', reply.statusCode)
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
  }
  span.end()
}

/**
 * Runs queued work (a BullMQ job) inside the trace of the request that queued it, handing `fn` this hop's ids for
 * the calls it makes. With the SDK on: a CONSUMER span whose parent is the job's `traceparent`, so the portal call
 * (a child span made by the connector pool, see client-span.ts) joins the request's trace; a job of an unsampled
 * request records no span. Without it: the job's trace id (or a new one) with a new span id.
 */
export async function withJobTrace<T> (traceparent: string | undefined, name: string, fn: (hop: TraceIds) => Promise<T>): Promise<T> {
  if (tracer === undefined) return await fn(childIds(parseTraceparent(traceparent)))
  const parent = traceparent !== undefined ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT
  const span = tracer.startSpan(name, { kind: SpanKind.CONSUMER }, parent)
  try {
    return await fn(idsOf(span))
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message })
    throw err
  } finally {
    span.end()
  }
}

let flush: (() => Promise<void>) | undefined

/** Set by src/tracing.ts: exports what the SDK still holds. */
export function setTracingFlush (fn: () => Promise<void>): void { flush = fn }

/** Called when the app closes, so that the last spans and metrics leave before the process exits. */
export async function flushTracing (): Promise<void> { await flush?.() }
