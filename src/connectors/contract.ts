import type { Dispatcher } from 'undici'
import type { FastifyBaseLogger } from 'fastify'

// What connector types share, behind the contract: a type (a folder in `connectors/`) imports this file only.
export { runtimeOptionsSchema } from './runtime/options.js'
export { deliverySettingsSchema } from './delivery-settings.js'
export { contentHash } from '../lib/canonical-json.js'

/**
 * The connector contract. A connector *type* is code (a folder in `connectors/`); a connector *instance*
 * is data (id, type, services, provinces, config) kept in PostgreSQL. The gateway owns everything around
 * the call — the undici pool, timeouts, retries, circuit breaker, tracing, audit — so a type only maps
 * the gateway's canonical request to its national system and back.
 */
export interface CallContext {
  /** undici Pool bound to the instance's origin (timeouts set by the runtime). */
  http: Dispatcher
  /** Aborted when the caller goes away or the deadline passes. */
  signal: AbortSignal
  /** Headers to forward (W3C trace context). */
  headers: Record<string, string>
  /** 1-based attempt number. */
  attempt: number
  log: FastifyBaseLogger
}

export interface ConnectorRuntime {
  /** A synchronous lookup; resolves the response `data` or throws an UpstreamFailure. */
  lookup? (serviceId: string, request: Record<string, unknown>, ctx: CallContext): Promise<unknown>
  /** A queued delivery (dossier sync); resolves the upstream's acknowledgement or throws an UpstreamFailure. */
  deliver? (serviceId: string, payload: Record<string, unknown>, ctx: CallContext): Promise<unknown>
  /**
   * A change feed ("changed since"): the source's events after `cursor` (null: from its beginning), at most
   * `limit`, mapped to the gateway's canonical form, and the cursor after them. Idempotent (the gateway retries
   * it and records each event once per source, src/events/ingest.ts).
   */
  pull? (serviceId: string, request: FeedRequest, ctx: CallContext): Promise<FeedPage>
  /** Active health probe; throws when the upstream does not answer. */
  probe? (ctx: CallContext): Promise<void>
  close? (): Promise<void>
}

/** What the gateway asks a change feed for (schemas/event.feed.request.json). */
export interface FeedRequest { cursor: string | null, limit: number }

/** One change as a source connector hands it over (schemas/event.source.json). */
export interface FeedEvent {
  type: string
  /** The source's own id of the change (unique per source). */
  sourceEventId: string
  occurredAt: string
  data: Record<string, unknown>
}

/** A page of a change feed (schemas/event.feed.page.json): `cursor` is where the next page starts. */
export interface FeedPage { events: FeedEvent[], cursor: string | null }

export interface ConnectorType<C = Record<string, unknown>> {
  type: string
  version: string
  description: string
  /** Service ids this type can serve. */
  services: readonly string[]
  /** JSON Schema of an instance's `config`. */
  configSchema: Record<string, unknown>
  /** JSON pointers of write-only secret fields in `config` (masked on read). */
  secretFields: readonly string[]
  /** Origin (scheme://host:port) the instance's pool connects to. */
  origin (config: C): string
  create (config: C, deps: { log: FastifyBaseLogger }): ConnectorRuntime
}

export const defineConnectorType = <C>(t: ConnectorType<C>): ConnectorType<C> => t

export type FailureKind = 'not_found' | 'timeout' | 'unavailable' | 'error' | 'rejected' | 'circuit_open'

/**
 * What a connector throws when the upstream did not give a usable answer. `retryable` says whether the
 * same call may succeed later (the runtime retries idempotent lookups, the queue retries deliveries).
 */
export class UpstreamFailure extends Error {
  readonly kind: FailureKind
  readonly retryable: boolean
  readonly upstreamStatus?: number
  readonly upstreamCode?: string

  constructor (kind: FailureKind, message: string, opts: { retryable?: boolean, upstreamStatus?: number, upstreamCode?: string, cause?: unknown } = {}) {
    super(message, { cause: opts.cause })
    this.name = 'UpstreamFailure'
    this.kind = kind
    this.retryable = opts.retryable ?? (kind === 'timeout' || kind === 'unavailable' || kind === 'error')
    this.upstreamStatus = opts.upstreamStatus
    this.upstreamCode = opts.upstreamCode
  }
}

/** Maps an HTTP status of the upstream to a failure, or undefined for a success. */
export function failureOfStatus (status: number): UpstreamFailure | undefined {
  if (status >= 200 && status < 300) return undefined
  if (status === 404) return new UpstreamFailure('not_found', 'subject not found upstream', { upstreamStatus: status, retryable: false })
  if (status === 429 || status === 503) return new UpstreamFailure('unavailable', `upstream answered ${status}`, { upstreamStatus: status })
  if (status === 504 || status === 408) return new UpstreamFailure('timeout', `upstream answered ${status}`, { upstreamStatus: status })
  if (status >= 500) return new UpstreamFailure('error', `upstream answered ${status}`, { upstreamStatus: status })
  return new UpstreamFailure('rejected', `upstream refused the request with ${status}`, { upstreamStatus: status, retryable: false })
}
