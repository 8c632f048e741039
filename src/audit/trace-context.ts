import { randomFillSync } from 'node:crypto'
import { context, propagation, trace, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api'
import type { FastifyRequest } from 'fastify'

/**
 * W3C trace context for the gateway, with or without the OpenTelemetry SDK. `src/tracing.ts` (loaded with
 * `node --import`) calls `markTracingActive()` once its tracer provider is registered; from then on the ids come
 * from OTel spans and the undici instrumentation injects `traceparent` into connector calls. Without the SDK
 * (tests, `node dist/src/server.js`), the gateway still honours and forwards the caller's trace context itself.
 */
let active = false

export function markTracingActive (): void { active = true }
export function tracingActive (): boolean { return active }

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

const ids = Buffer.alloc(24 * 64)
let idsLeft = 0

/** 16 + 8 random bytes as hex, from a buffer refilled 64 ids at a time (one system call instead of two per request). */
function newIds (): { traceId: string, spanId: string } {
  if (idsLeft === 0) { randomFillSync(ids); idsLeft = 64 }
  const at = --idsLeft * 24
  return { traceId: ids.toString('hex', at, at + 16), spanId: ids.toString('hex', at + 16, at + 24) }
}

const kSpan = Symbol('lienthong.requestSpan')
type WithSpan = FastifyRequest & { [kSpan]?: Span }

/**
 * The span @fastify/otel opened for this request (when the SDK is active). Read once in `onRequest`, where its
 * context is the active one, and kept on the request: later (after the body was read) the active context is no
 * longer the request's.
 */
function requestSpan (request: FastifyRequest): Span | undefined {
  const r = request as WithSpan
  if (r[kSpan] === undefined) {
    r[kSpan] = trace.getActiveSpan() ?? (request as { opentelemetry?: () => { span?: Span | null } }).opentelemetry?.call(request).span ?? undefined
  }
  return r[kSpan]
}

/**
 * This hop's trace context: the OTel request span's ids when tracing is on; otherwise the caller's trace id (a
 * valid `traceparent`) or a new one, with a new span id.
 */
export function requestTraceIds (request: FastifyRequest): TraceIds {
  if (active) {
    const sc = requestSpan(request)?.spanContext()
    if (sc !== undefined && trace.isSpanContextValid(sc)) {
      return { traceId: sc.traceId, spanId: sc.spanId, flags: (sc.traceFlags & 1) === 1 ? '01' : '00' }
    }
  }
  const given = parseTraceparent(request.headers.traceparent)
  const fresh = newIds()
  return { traceId: given?.traceId ?? fresh.traceId, spanId: fresh.spanId, flags: given?.flags ?? '01' }
}

/**
 * Runs a connector call made while handling `request`, with the headers that carry the trace to it.
 * - Tracing on and this request sampled: in the context of the request's span (@fastify/otel makes no span for
 *   handlers, and a handler runs after the body arrived, outside the context the request span was started in), so
 *   the undici instrumentation makes the CLIENT span and injects its `traceparent` itself (no header from here:
 *   a second one would break the trace).
 * - Tracing on, request not sampled: the trace context is forwarded as is (flags 00), with no context switch and no
 *   span; the header makes the undici instrumentation leave the call alone (see otel-sdk.ts). Most lookups take this
 *   path under the default sampler, and it costs almost nothing.
 * - Tracing off: the caller's trace id (or a new one) with this hop's span id.
 */
export async function withConnectorTrace<T> (request: FastifyRequest, fn: (headers: Record<string, string>) => Promise<T>): Promise<T> {
  if (!active) return await fn({ traceparent: formatTraceparent(request) })
  const span = requestSpan(request)
  if (span === undefined || !span.isRecording()) {
    const sc = span?.spanContext()
    const sampled = sc !== undefined && (sc.traceFlags & 1) === 1
    return await fn({ traceparent: formatTraceparent({ traceId: request.traceId, spanId: request.spanId, flags: sampled ? '01' : '00' }) })
  }
  return await context.with(trace.setSpan(context.active(), span), async () => await fn({}))
}

/** The `traceparent` to store with queued work (BullMQ job data), taken from the current context or the request. */
export function currentTraceparent (request?: { traceId: string, spanId: string }): string | undefined {
  if (active) {
    const carrier: Record<string, string> = {}
    propagation.inject(context.active(), carrier)
    if (carrier.traceparent !== undefined) return carrier.traceparent
  }
  return request !== undefined && request.traceId !== '' ? formatTraceparent(request) : undefined
}

/**
 * Runs queued work (a BullMQ job) inside the trace of the request that queued it: a CONSUMER span whose parent is
 * the job's `traceparent`, so the worker's spans and its connector call join the request's trace. Without the SDK
 * it simply runs `fn` (the caller forwards the trace id itself).
 */
export async function withJobTrace<T> (traceparent: string | undefined, name: string, fn: () => Promise<T>): Promise<T> {
  if (!active) return await fn()
  const parent = traceparent !== undefined ? propagation.extract(context.active(), { traceparent }) : context.active()
  const tracer = trace.getTracer('lienthong-gateway')
  return await tracer.startActiveSpan(name, { kind: SpanKind.CONSUMER }, parent, async (span) => {
    try {
      return await fn()
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message })
      throw err
    } finally {
      span.end()
    }
  })
}

let flush: (() => Promise<void>) | undefined

/** Set by src/tracing.ts: exports what the SDK still holds. */
export function setTracingFlush (fn: () => Promise<void>): void { flush = fn }

/** Called when the app closes, so that the last spans and metrics leave before the process exits. */
export async function flushTracing (): Promise<void> { await flush?.() }
