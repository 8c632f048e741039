import { ServiceUnavailable } from '../errors.js'
import type { AuditSink } from './types.js'
import type { PreparedEvent } from './canonical.js'
import type { AuditStore } from './store.js'

export interface WriterOptions {
  /** Events per transaction. */
  batchSize: number
  /** Delay before writing the first event after an idle period (events that come meanwhile join the batch). */
  flushMs: number
  /** Longest wait between attempts while the database is unavailable. */
  retryMaxMs?: number
  log: AuditLog
  /** Called after every write attempt (written, failed or isolated): the stats as they are then. */
  onProgress?: (stats: WriterStats) => void
}

/** What the writer logs through (a Fastify logger, or the audit thread's forwarder). */
export interface AuditLog {
  info: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

/** `written` counts the events taken off the queue (written, or dropped as unstorable). */
export interface WriterStats { written: number, batches: number, failedFlushes: number, down: boolean }

/** Thrown by `app.audit.emit` when even the headroom is full: the caller must not go on as if the event were recorded. */
export class AuditUnavailable extends ServiceUnavailable {
  readonly retryAfterSeconds: number

  /** `retryAfterSeconds`: DEPENDENCY_RETRY_AFTER_SECONDS (the buffer fills when the database does not answer). */
  constructor (retryAfterSeconds = 5) {
    super('The audit trail cannot record this operation now; retry later')
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/** SQLSTATE class 22 (data exception): the event, not the database, is the problem. */
const isDataError = (err: unknown): boolean => String((err as { code?: unknown }).code ?? '').startsWith('22')

/** What an event refused by the database keeps out: its free text and its figures. */
const BARE = Object.freeze({ requestId: null, endUser: null, purpose: null, caseId: null, errorCode: null, details: { unstorable: true }, detailsJson: '{"unstorable":true}', httpStatus: null, upstreamStatus: null, durationMs: null, upstreamDurationMs: null, requestBytes: null, responseBytes: null })

/** A sink that records nothing (benchmarks of the gateway without its trail): the lookup hook then does no work. */
export const DISABLED_AUDIT: AuditSink = Object.freeze({ accepting: () => true, emit: () => {} })

/**
 * The queue of prepared events written to PostgreSQL in batches (run by the audit thread, writer-thread.ts; the
 * bound and the preparation are the gateway's, audit-thread.ts). While the database is unavailable the events stay
 * queued (nothing is dropped) and the writer retries with backoff.
 */
export class AuditWriter {
  readonly #store: AuditStore
  readonly #o: Required<Omit<WriterOptions, 'onProgress'>> & Pick<WriterOptions, 'onProgress'>
  #queue: PreparedEvent[] = []
  #running: Promise<void> | undefined
  #timer: NodeJS.Timeout | undefined
  #wake: (() => void) | undefined
  /** Events at the front of the queue that may already be in the database: their batch is appended with a check. */
  #uncertain = 0
  #closing = false
  /** Set by flush() and close(): write until the buffer is empty. */
  #forced = false
  readonly stats: WriterStats = { written: 0, batches: 0, failedFlushes: 0, down: false }

  constructor (store: AuditStore, opts: WriterOptions) {
    this.#store = store
    this.#o = { retryMaxMs: 2000, ...opts }
  }

  /**
   * Appends events in their stored form (the audit thread prepares what the gateway hands it). `uncertain`:
   * they may already be in the database (re-sent after a thread restart, read back from a spill file).
   */
  enqueue (events: PreparedEvent[], uncertain: boolean): void {
    for (const e of events) this.#queue.push(e)
    if (uncertain) this.#uncertain = this.#queue.length
    this.#schedule()
  }

  #schedule (): void {
    if (this.#running !== undefined || this.#timer !== undefined) return
    if (this.#queue.length >= this.#o.batchSize || this.#o.flushMs === 0) {
      this.#start()
      return
    }
    this.#timer = setTimeout(() => { this.#timer = undefined; this.#start() }, this.#o.flushMs)
    this.#timer.unref()
  }

  #start (): void {
    if (this.#running !== undefined) return
    this.#running = this.#drain().finally(() => {
      this.#running = undefined
      if (this.#queue.length > 0 && !this.#closing) this.#schedule()
    })
  }

  /**
   * Writes batches while there is a full batch, a flush was asked for, or the last attempt failed; otherwise it
   * returns after one batch and the next one waits `flushMs`, so that events accumulate into larger batches.
   */
  async #drain (): Promise<void> {
    let failures = 0
    let first = true
    while (this.#queue.length > 0 && (first || failures > 0 || this.#forced || this.#queue.length >= this.#o.batchSize)) {
      first = false
      const batch = this.#queue.slice(0, this.#o.batchSize)
      try {
        await this.#store.append(batch, this.#uncertain > 0)
        this.#queue.splice(0, batch.length)
        this.stats.written += batch.length
        this.stats.batches++
        this.#uncertain = Math.max(0, this.#uncertain - batch.length)
        if (this.stats.down) this.#o.log.info({ buffered: this.#queue.length }, 'audit trail writes resumed')
        this.stats.down = false
        failures = 0
        this.#o.onProgress?.(this.stats)
      } catch (err) {
        if (isDataError(err)) {
          // Not the database's availability: one event it refuses must not hold back every other one.
          await this.#isolate(batch).catch(() => { this.#uncertain = Math.max(this.#uncertain, batch.length) })
          this.#o.onProgress?.(this.stats)
          continue
        }
        // The batch may or may not have been committed: the next attempt checks before appending again.
        this.#uncertain = Math.max(this.#uncertain, batch.length)
        this.stats.failedFlushes++
        failures++
        if (!this.stats.down) this.#o.log.error({ err: (err as Error).message, buffered: this.#queue.length }, 'audit trail write failed; events kept in the buffer')
        this.stats.down = true
        this.#o.onProgress?.(this.stats)
        if (this.#closing && failures >= 3) return
        await this.#pause(Math.min(this.#o.retryMaxMs, 25 * 2 ** Math.min(failures, 10)))
      }
    }
  }

  /** Writes a refused batch one event at a time; an event refused alone is stored without its free text. */
  async #isolate (batch: PreparedEvent[]): Promise<void> {
    for (const e of batch) {
      try {
        await this.#store.append([e], this.#uncertain > 0)
      } catch (err) {
        if (!isDataError(err)) throw err
        this.#o.log.error({ id: e.id, code: (err as { code?: string }).code }, 'audit event refused by the database: stored without its free text and figures')
        await this.#store.append([{ ...e, ...BARE }], this.#uncertain > 0).catch((again) => {
          if (!isDataError(again)) throw again
          this.#o.log.error({ id: e.id, kind: e.kind }, 'audit event refused by the database even without its free text: dropped')
        })
      }
      this.#queue.shift()
      this.#uncertain = Math.max(0, this.#uncertain - 1)
      this.stats.written++
    }
  }

  async #pause (ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.#wake = undefined; resolve() }, ms)
      timer.unref()
      this.#wake = () => { clearTimeout(timer); this.#wake = undefined; resolve() }
    })
  }

  /** Writes what is buffered now (tests, shutdown). Resolves when the buffer is empty or the writer gave up. */
  async flush (): Promise<void> {
    if (this.#timer !== undefined) { clearTimeout(this.#timer); this.#timer = undefined }
    this.#wake?.()
    this.#forced = true
    try {
      while (this.#queue.length > 0 || this.#running !== undefined) {
        this.#start()
        await this.#running
      }
    } finally {
      this.#forced = this.#closing
    }
  }

  /**
   * Graceful shutdown: flushes for at most `timeoutMs`; returns the events that could not be written (the caller
   * spills them to disk so that they are written at the next start).
   */
  async close (timeoutMs: number): Promise<PreparedEvent[]> {
    this.#closing = true
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref())
    await Promise.race([this.flush(), deadline])
    const left = this.#queue
    this.#queue = []
    return left
  }
}
