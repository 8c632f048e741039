import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { FastifyBaseLogger } from 'fastify'
import { fromRoot } from '../lib/repo-root.js'
import type { AuditEventInput, AuditSink } from './types.js'
import type { PreparedEvent } from './canonical.js'
import { AuditKeyring, prepare } from './prepare.js'
import type { FromThread, ThreadData, ToThread } from './thread-protocol.js'
import { AuditUnavailable, type WriterStats } from './writer.js'

export interface AuditThreadOptions extends ThreadData {
  /** The compiled thread entry (writer-thread.js). */
  script: URL
  /** Buffered events (here and in the thread) at which `accepting()` turns false; `emit` throws past `headroom` more. */
  max: number
  headroom: number
  /** The Retry-After of a refusal when the buffer is full (default 5 s). */
  retryAfterSeconds?: number
  log: FastifyBaseLogger
}

/**
 * The thread's entry: writer-thread.js next to this module once compiled. From the TypeScript sources (the tests
 * run them) it is the build's copy, so that the thread starts without a TypeScript loader (`npm test` builds first).
 */
export function threadScript (): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./writer-thread.js', import.meta.url)
  const built = fromRoot('dist', 'src', 'audit', 'writer-thread.js')
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first`)
  return pathToFileURL(built)
}

/** Events handed to the thread and not yet reported written: as given (`ids`, `ats`) or already prepared. */
type Sent = { ids: string[], ats: number[], events: AuditEventInput[] } | { prepared: PreparedEvent[] }
const sizeOf = (s: Sent): number => 'prepared' in s ? s.prepared.length : s.events.length

/** Events handed over together: at most this many, or what came within `postMs`. */
const POST_MAX = 64

interface Waiter { kind: 'flush' | 'close', timeoutMs: number, resolve: (m: FromThread) => void }

/**
 * The audit trail's buffer as the gateway sees it: events are handed, a few milliseconds' worth at a time, to a
 * worker thread that keys the identifiers, builds the canonical text and writes to PostgreSQL (writer-thread.ts,
 * whose AuditWriter batches and retries). The request path keeps only an id, a time and a reference per event.
 *
 * The bound is kept here: the thread reports how many events it took off its queue, so the depth — events not
 * yet written, here or there — is known without asking. Nothing handed over is forgotten before the thread says
 * it is written: if the thread dies, a new one is started and given them again (checked against the database, so
 * none is written twice); if it does not answer at shutdown, they are prepared here and spilled.
 */
export class AuditThread implements AuditSink {
  readonly #o: AuditThreadOptions
  #worker!: Worker
  #up = false
  #closing = false
  #restarts = 0
  #ids: string[] = []
  #ats: number[] = []
  #events: AuditEventInput[] = []
  #timer: NodeJS.Timeout | undefined
  readonly #postMs: number
  readonly #sent: Sent[] = []
  /** Events of `#sent[0]` already written. */
  #headDone = 0
  #inFlight = 0
  /** The running thread's `written` as last reported, and the totals of the threads before it. */
  #reported = 0
  #base = { written: 0, batches: 0, failedFlushes: 0 }
  readonly #waiters = new Map<number, Waiter>()
  #n = 0
  /** The thread's writer stats, summed over its restarts, and the events refused here (buffer full). */
  readonly stats: WriterStats & { rejected: number } = { written: 0, batches: 0, failedFlushes: 0, rejected: 0, down: false }
  /** Events the thread could not take back at shutdown are prepared here for the spill file. */
  readonly #keys: AuditKeyring

  constructor (opts: AuditThreadOptions) {
    this.#o = opts
    this.#keys = new AuditKeyring(opts.key)
    this.#postMs = Math.min(5, Math.floor(opts.flushMs / 2))
    this.#start()
  }

  get depth (): number { return this.#events.length + this.#inFlight }

  accepting (): boolean { return !this.#closing && this.depth < this.#o.max }

  emit (event: AuditEventInput): void {
    if (this.#closing || this.depth >= this.#o.max + this.#o.headroom) {
      this.stats.rejected++
      throw new AuditUnavailable(this.#o.retryAfterSeconds)
    }
    this.#ids.push(randomUUID())
    this.#ats.push(Date.now())
    this.#events.push(event)
    if (this.#events.length >= POST_MAX) this.#post()
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#post, this.#postMs)
      this.#timer.unref()
    }
  }

  /** Events already in their stored form (read back from a spill file): written after those buffered now. */
  enqueue (events: PreparedEvent[]): void {
    if (events.length === 0) return
    this.#post()
    const sent: Sent = { prepared: events }
    this.#sent.push(sent)
    this.#inFlight += events.length
    if (this.#up) this.#send(sent, false)
  }

  async flush (): Promise<void> {
    this.#post()
    await this.#request('flush', 0)
  }

  async close (timeoutMs: number): Promise<PreparedEvent[]> {
    this.#post()
    this.#closing = true
    const answer = this.#up ? await within(timeoutMs + 2000, this.#request('close', timeoutMs)) : undefined
    if (answer?.t === 'closed') {
      this.#drop(this.#inFlight)
      // it ends its database connections, then stops
      if (await within(2000, once(this.#worker, 'exit')) === undefined) await this.#worker.terminate()
      return answer.left.map((e) => ({ ...e, at: new Date(e.at) }))
    }
    // The thread did not answer: what it was given is prepared here, for the spill file.
    await this.#worker.terminate()
    const left = this.#unwritten()
    this.#drop(this.#inFlight)
    return left
  }

  /** Stops the thread abruptly, as a crash would; a new one takes over what it had not written (drills, tests). */
  async kill (): Promise<void> {
    this.#post()
    await this.#worker.terminate()
  }

  #start (): void {
    const { script, databaseUrl, key, batchSize, flushMs, retryMaxMs, deadlines } = this.#o
    const data: ThreadData = { databaseUrl, key, batchSize, flushMs, retryMaxMs, deadlines }
    // No inherited --import hooks (TypeScript loaders of the tests, the tracing SDK): the thread runs compiled code.
    // A small young generation (the default would add about 25 MB of RSS for short-lived objects); room in the old
    // one for a full buffer of prepared events (about 2 KB each) during a database outage.
    const worker = new Worker(script, {
      workerData: data,
      execArgv: [],
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 + Math.ceil((this.#o.max + this.#o.headroom) * 4 / 1024) }
    })
    this.#worker = worker
    this.#reported = 0
    worker.unref()
    worker.on('message', (m: FromThread) => { this.#receive(m) })
    worker.on('error', (err) => { this.#o.log.error({ err: err.message }, 'audit thread failed') })
    worker.on('exit', (code) => {
      this.#up = false
      if (this.#closing) return
      this.#o.log.error({ code, unwritten: this.depth }, 'audit thread stopped; starting a new one with the unwritten events')
      this.#base.written += this.#reported
      this.#base.batches = this.stats.batches
      this.#base.failedFlushes = this.stats.failedFlushes
      const delay = Math.min(5000, 50 * 2 ** Math.min(this.#restarts++, 7))
      setTimeout(() => { if (!this.#closing) this.#start() }, delay).unref()
    })
    this.#up = true
    // A new thread is given again, with a check against the database, what the one before did not report written.
    let skip = this.#headDone
    for (const s of this.#sent) {
      this.#send(s, true, skip)
      skip = 0
    }
    for (const [n, w] of this.#waiters) this.#worker.postMessage(w.kind === 'flush' ? { t: 'flush', n } : { t: 'close', n, timeoutMs: w.timeoutMs })
    this.#post()
  }

  /** Hands what was emitted since the last post to the thread. */
  readonly #post = (): void => {
    if (this.#timer !== undefined) { clearTimeout(this.#timer); this.#timer = undefined }
    if (this.#events.length === 0 || !this.#up) return
    const sent: Sent = { ids: this.#ids, ats: this.#ats, events: this.#events }
    this.#ids = []
    this.#ats = []
    this.#events = []
    this.#sent.push(sent)
    this.#inFlight += sizeOf(sent)
    this.#send(sent, false)
  }

  #send (s: Sent, again: boolean, skip = 0): void {
    if ('prepared' in s) {
      this.#worker.postMessage({ t: 'enqueue', events: s.prepared.slice(skip) } satisfies ToThread)
      return
    }
    const m = { t: 'emit', ids: s.ids.slice(skip), ats: s.ats.slice(skip), events: s.events.slice(skip), again } satisfies ToThread
    try {
      this.#worker.postMessage(m)
    } catch {
      // Something in an event cannot be copied to the thread (a function in `details`, say): such details are
      // sent as their JSON text reads back, or dropped.
      s.events = s.events.map(cloneable)
      this.#worker.postMessage({ ...m, events: s.events.slice(skip) })
    }
  }

  #receive (m: FromThread): void {
    if (m.t === 'log') {
      this.#o.log[m.level](m.obj, m.msg)
      return
    }
    this.#progress(m.stats)
    if (m.t === 'flushed' || m.t === 'closed') {
      const w = this.#waiters.get(m.n)
      this.#waiters.delete(m.n)
      w?.resolve(m)
    }
  }

  #progress (s: WriterStats): void {
    const done = s.written - this.#reported
    this.#reported = s.written
    this.#drop(done)
    this.stats.written = this.#base.written + s.written
    this.stats.batches = this.#base.batches + s.batches
    this.stats.failedFlushes = this.#base.failedFlushes + s.failedFlushes
    this.stats.down = s.down
    if (done > 0) this.#restarts = 0
  }

  /** Forgets the `n` oldest events handed over (written). */
  #drop (n: number): void {
    this.#inFlight -= n
    while (n > 0 && this.#sent.length > 0) {
      const left = sizeOf(this.#sent[0]) - this.#headDone
      if (n < left) { this.#headDone += n; break }
      n -= left
      this.#sent.shift()
      this.#headDone = 0
    }
  }

  /** Every event handed over and not reported written, in its stored form. */
  #unwritten (): PreparedEvent[] {
    const out: PreparedEvent[] = []
    let skip = this.#headDone
    for (const s of this.#sent) {
      if ('prepared' in s) out.push(...s.prepared.slice(skip))
      else for (let i = skip; i < s.events.length; i++) out.push(prepare(s.events[i], this.#keys, s.ids[i], s.ats[i]))
      skip = 0
    }
    return out
  }

  async #request (kind: 'flush' | 'close', timeoutMs: number): Promise<FromThread> {
    const n = ++this.#n
    return await new Promise((resolve) => {
      this.#waiters.set(n, { kind, timeoutMs, resolve })
      if (this.#up) this.#worker.postMessage(kind === 'flush' ? { t: 'flush', n } : { t: 'close', n, timeoutMs })
    })
  }
}

/** The promise's value, or undefined when it takes longer than `ms`. */
async function within<T> (ms: number, p: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<undefined>((resolve) => { timer = setTimeout(() => { resolve(undefined) }, ms) })
  try {
    return await Promise.race([p, late])
  } finally {
    clearTimeout(timer)
  }
}

/** An event whose `details` can be copied to another thread. */
function cloneable (e: AuditEventInput): AuditEventInput {
  let details: Record<string, unknown> | undefined
  try {
    details = e.details === undefined ? undefined : JSON.parse(JSON.stringify(e.details)) as Record<string, unknown>
  } catch {
    details = { uncopyable: true }
  }
  return { ...e, details }
}
