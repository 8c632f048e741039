import type { Queue } from 'bullmq'
import type pg from 'pg'
import { acceptDeliveries, type Accepted, type AcceptInput } from './accept.js'
import { enqueueDeliveries, type DeliveryJob } from './jobs.js'

/** What one request gets: its delivery, and for a new one whether its job could be queued. */
export interface AcceptOutcome {
  accepted: Accepted
  /** Set when the delivery was recorded now but its job could not be added to Redis (→ 503). */
  notQueued?: Error
}

interface Waiting {
  input: AcceptInput
  resolve: (outcome: AcceptOutcome) => void
  reject: (err: Error) => void
}

export interface AcceptGroupOptions {
  /** Requests recorded by one statement at most. */
  maxBatch?: number
  /** Groups being recorded at once. */
  maxInFlight?: number
}

/**
 * Group commit of accepted deliveries. The requests that arrive while earlier groups are being written are
 * recorded together: one PostgreSQL statement (one commit) for the whole group, then one Redis pipeline adding
 * their jobs, and only then is each caller answered — each with its own outcome, so a refused request (404, 409)
 * does not fail the others. The durability of each answer is the same as one request at a time: 202 only once
 * the delivery is committed in PostgreSQL and its job acknowledged by Redis.
 *
 * Per-dossier order: a group holds at most one request per dossier, and a dossier's requests wait while an
 * earlier one of the same dossier is in a group being written, so they are recorded in the order they arrived
 * (as with one request at a time). One request per idempotency key per group too: a repeat finds the first one.
 */
export class AcceptGroup {
  readonly #db: pg.Pool
  readonly #queue: Queue<DeliveryJob>
  readonly #maxBatch: number
  readonly #maxInFlight: number
  #waiting: Waiting[] = []
  readonly #busyCodes = new Set<string>()
  #inFlight = 0
  #scheduled = false

  constructor (db: pg.Pool, queue: Queue<DeliveryJob>, opts: AcceptGroupOptions = {}) {
    this.#db = db
    this.#queue = queue
    this.#maxBatch = opts.maxBatch ?? 100
    this.#maxInFlight = opts.maxInFlight ?? 2
  }

  /** Records the delivery of one request (with the others waiting at the same time) and queues its job. */
  async accept (input: AcceptInput): Promise<AcceptOutcome> {
    return await new Promise<AcceptOutcome>((resolve, reject) => {
      this.#waiting.push({ input, resolve, reject })
      this.#schedule()
    })
  }

  #schedule (): void {
    if (this.#scheduled) return
    this.#scheduled = true
    // After the I/O callbacks of this turn of the event loop: every request read in it joins the group.
    setImmediate(() => {
      this.#scheduled = false
      this.#flush()
    })
  }

  #flush (): void {
    while (this.#inFlight < this.#maxInFlight && this.#waiting.length > 0) {
      const group: Waiting[] = []
      const rest: Waiting[] = []
      const codes = new Set<string>()
      const keys = new Set<string>()
      for (const w of this.#waiting) {
        const key = `${w.input.clientId}\n${w.input.idem.key}`
        // Skipping a dossier's request also skips its later ones (its code is then in `codes` or busy): order kept.
        if (group.length >= this.#maxBatch || codes.has(w.input.dossierCode) || this.#busyCodes.has(w.input.dossierCode) || keys.has(key)) {
          rest.push(w)
          codes.add(w.input.dossierCode)
          continue
        }
        group.push(w)
        codes.add(w.input.dossierCode)
        keys.add(key)
      }
      if (group.length === 0) return
      this.#waiting = rest
      this.#inFlight++
      for (const w of group) this.#busyCodes.add(w.input.dossierCode)
      void this.#write(group).finally(() => {
        for (const w of group) this.#busyCodes.delete(w.input.dossierCode)
        this.#inFlight--
        if (this.#waiting.length > 0) this.#schedule()
      })
    }
  }

  async #write (group: Waiting[]): Promise<void> {
    try {
      await this.#record(group)
    } catch (err) {
      // Never leave a caller waiting (a caller already answered ignores this).
      for (const w of group) w.reject(err as Error)
    }
  }

  async #record (group: Waiting[]): Promise<void> {
    const results = await acceptDeliveries(this.#db, group.map((w) => w.input))
    const jobs: DeliveryJob[] = []
    const fresh: DeliveryJob[] = []
    results.forEach((r, i) => {
      if (r instanceof Error || (r.kind === 'existing' && r.status !== 'queued')) return
      const { input } = group[i]
      const job = { deliveryId: r.deliveryId, dossierCode: r.dossierCode, service: r.service, traceparent: input.traceparent }
      jobs.push(job)
      if (r.kind === 'created') fresh.push(job)
    })
    let notQueued: Error | undefined
    try {
      // An earlier request's delivery still queued may have met a Redis outage: its job is added again (a no-op
      // when it exists).
      await enqueueDeliveries(this.#queue, jobs)
    } catch (err) {
      notQueued = err as Error
    }
    results.forEach((r, i) => {
      if (r instanceof Error) group[i].reject(r)
      else group[i].resolve(r.kind === 'created' && notQueued !== undefined ? { accepted: r, notQueued } : { accepted: r })
    })
  }
}
