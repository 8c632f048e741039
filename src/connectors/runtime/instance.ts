import { Pool, type Dispatcher } from 'undici'
import CircuitBreaker from 'opossum'
import type { FastifyBaseLogger } from 'fastify'
import { UpstreamFailure, type ConnectorRuntime, type ConnectorType, type CallContext, type FeedPage, type FeedRequest } from '../contract.js'
import { runtimeOptions, type RuntimeOptions } from './options.js'
import { backoffDelay, sleep } from './backoff.js'
import { toUpstreamFailure } from './classify.js'
import { CallStats } from './stats.js'
import { Bulkhead } from '../../lib/bulkhead.js'
import { AttemptSignal } from './attempt-signal.js'
import { clientSpans } from '../../tracing/client-span.js'
import { sampledTraceparent, tracingActive } from '../../tracing/trace-context.js'

export interface InstanceRecord {
  id: string
  type: string
  services: string[]
  provinces: string[] | null
  config: Record<string, unknown>
  enabled: boolean
  version: number
}

export interface CallOptions {
  signal?: AbortSignal
  /** Headers to forward: the call's W3C trace context, as `traceparent` (lower case). */
  headers?: Record<string, string>
  /** Idempotent calls may be retried here; others are retried by the queue under an idempotency key. */
  idempotent: boolean
  log: FastifyBaseLogger
  onAttempt?: (attempt: { n: number, ok: boolean, durationMs: number, failure?: UpstreamFailure }) => void
}

export type CircuitState = 'closed' | 'open' | 'half-open'

const OPERATION_NAMES = { lookup: 'lookups', deliver: 'deliveries', pull: 'change feeds' } as const

/**
 * One live connector instance: its undici Pool, its connector-type runtime, the retry loop and the circuit
 * breaker. It owns all four and closes them after the calls in flight have finished.
 */
export class ConnectorInstance {
  readonly record: InstanceRecord
  readonly options: RuntimeOptions
  readonly stats = new CallStats()
  readonly bulkhead: Bulkhead
  readonly #pool: Pool
  /**
   * The pool with a CLIENT span per sampled call, when tracing is on: taken only by sampled calls, since undici
   * wraps the handler of every call a composed dispatcher takes, and an unsampled one makes no span.
   */
  readonly #traced: Dispatcher | undefined
  readonly #runtime: ConnectorRuntime
  readonly #breaker: CircuitBreaker<[() => Promise<unknown>], unknown>
  #inflight = 0
  #drained: (() => void) | undefined
  #closed = false

  constructor (record: InstanceRecord, type: ConnectorType, log: FastifyBaseLogger) {
    this.record = record
    this.options = runtimeOptions(record.config.runtime)
    const o = this.options
    this.bulkhead = new Bulkhead(o.bulkhead.maxConcurrent, o.bulkhead.maxQueued, o.bulkhead.queueTimeoutMs, (why) =>
      new UpstreamFailure('unavailable', why === 'full' ? 'too many calls in flight to this connector' : 'waited too long for a free slot to this connector', { retryable: false }))
    const origin = type.origin(record.config)
    this.#pool = new Pool(origin, {
      connections: o.connections,
      connect: { timeout: o.connectTimeoutMs },
      headersTimeout: o.headersTimeoutMs,
      bodyTimeout: o.bodyTimeoutMs,
      keepAliveTimeout: 10_000
    })
    this.#traced = tracingActive() ? this.#pool.compose(clientSpans(origin)) : undefined
    this.#runtime = type.create(record.config, { log })
    this.#breaker = new CircuitBreaker(async (fn: () => Promise<unknown>) => await fn(), {
      timeout: false,
      errorThresholdPercentage: o.breaker.errorThresholdPercentage,
      resetTimeout: o.breaker.resetTimeoutMs,
      volumeThreshold: o.breaker.volumeThreshold,
      rollingPercentilesEnabled: false,
      // A subject that does not exist, or a request the upstream refuses, says nothing about its health.
      errorFilter: (err: unknown) => err instanceof UpstreamFailure && (err.kind === 'not_found' || err.kind === 'rejected')
    })
  }

  get id (): string { return this.record.id }
  get services (): string[] { return this.record.services }
  get provinces (): string[] | null { return this.record.provinces }
  get enabled (): boolean { return this.record.enabled }

  get circuit (): CircuitState {
    return this.#breaker.opened ? 'open' : this.#breaker.halfOpen ? 'half-open' : 'closed'
  }

  /** Calls `listener` each time the circuit opens (the health monitor checks the instance at once). */
  onCircuitOpen (listener: () => void): void {
    this.#breaker.on('open', listener)
  }

  async lookup (serviceId: string, body: Record<string, unknown>, opts: CallOptions): Promise<unknown> {
    return await this.#operation('lookup', serviceId, body, opts)
  }

  async deliver (serviceId: string, payload: Record<string, unknown>, opts: CallOptions): Promise<unknown> {
    return await this.#operation('deliver', serviceId, payload, opts)
  }

  /** One page of a change feed (src/events/sources); idempotent, so retried here like a lookup. */
  async pull (serviceId: string, request: FeedRequest, opts: CallOptions): Promise<FeedPage> {
    return await this.#operation('pull', serviceId, request, opts) as FeedPage
  }

  async #operation (kind: 'lookup' | 'deliver' | 'pull', serviceId: string, input: unknown, opts: CallOptions): Promise<unknown> {
    const fn = this.#runtime[kind] as ((serviceId: string, input: unknown, ctx: CallContext) => Promise<unknown>) | undefined
    if (fn === undefined) throw new UpstreamFailure('rejected', `connector ${this.id} does not serve ${OPERATION_NAMES[kind]}`, { retryable: false })
    return await this.#call(opts, async (ctx) => await fn.call(this.#runtime, serviceId, input, ctx))
  }

  async probe (log: FastifyBaseLogger): Promise<void> {
    const fn = this.#runtime.probe
    if (fn === undefined) return
    const attempt = new AttemptSignal(this.options.headersTimeoutMs)
    try {
      await fn.call(this.#runtime, { http: this.#pool, signal: attempt.signal, headers: {}, attempt: 1, log })
    } finally {
      attempt.release()
    }
  }

  /** The pool as a call with these headers takes it: through the CLIENT-span interceptor when its trace is sampled. */
  #httpFor (headers: Record<string, string> | undefined): Dispatcher {
    return this.#traced !== undefined && sampledTraceparent(headers?.traceparent) ? this.#traced : this.#pool
  }

  async #call (opts: CallOptions, run: (ctx: CallContext) => Promise<unknown>): Promise<unknown> {
    if (this.#closed) throw new UpstreamFailure('unavailable', `connector ${this.id} is closed`)
    this.#inflight++
    const deadline = Date.now() + this.options.deadlineMs
    const maxAttempts = opts.idempotent ? 1 + this.options.retries.attempts : 1
    const http = this.#httpFor(opts.headers)
    try {
      for (let n = 1; ; n++) {
        const started = performance.now()
        const attempt = new AttemptSignal(Math.max(1, deadline - Date.now()), opts.signal)
        let failure: UpstreamFailure
        try {
          const result = await this.bulkhead.run(async () => await this.#breaker.fire(async () =>
            await run({ http, signal: attempt.signal, headers: opts.headers ?? {}, attempt: n, log: opts.log })))
          const durationMs = performance.now() - started
          this.stats.record(durationMs, true)
          opts.onAttempt?.({ n, ok: true, durationMs })
          return result
        } catch (err) {
          failure = (err as { code?: string }).code === 'EOPENBREAKER'
            ? new UpstreamFailure('circuit_open', `circuit of ${this.id} is open`, { retryable: false })
            : toUpstreamFailure(err, attempt.timedOut)
        } finally {
          attempt.release()
        }
        const durationMs = performance.now() - started
        const healthy = failure.kind === 'not_found' || failure.kind === 'rejected'
        if (failure.kind !== 'circuit_open') this.stats.record(durationMs, healthy)
        opts.onAttempt?.({ n, ok: false, durationMs, failure })
        if (opts.signal?.aborted === true) throw failure
        const wait = backoffDelay(n, this.options.retries.baseDelayMs, this.options.retries.maxDelayMs)
        if (!failure.retryable || n >= maxAttempts || Date.now() + wait >= deadline) throw failure
        await sleep(wait, opts.signal)
      }
    } finally {
      if (--this.#inflight === 0) this.#drained?.()
    }
  }

  /** Stops taking calls, waits (bounded) for those in flight, then closes breaker, runtime and pool. */
  async close (drainMs = 10_000): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#inflight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, drainMs)
        timer.unref()
        this.#drained = () => { clearTimeout(timer); resolve() }
      })
    }
    this.#breaker.shutdown()
    await this.#runtime.close?.()
    await this.#pool.close()
  }
}
