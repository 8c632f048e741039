import type { Redis } from 'ioredis'

export interface CounterHit {
  /** Hits in the current window, this one included: every instance's, as far as this instance knows them. */
  current: number
  /** Milliseconds until the window ends. */
  resetMs: number
}

export interface SharedCountersOptions {
  /**
   * How often local hits are added to Redis and the totals read back (ms). 0: every hit is a Redis round trip
   * (exact across instances, one round trip per request).
   */
  syncMs: number
  /** How long counting may go on without a successful sync before `hit` refuses (ms); only when failing closed. */
  staleMs: number
  /** Redis unreachable: keep counting locally (true) or refuse with the error (false). */
  failOpen: boolean
  onSyncError?: (err: Error) => void
}

interface Entry {
  redisKey: string
  /** The window's end, epoch ms. */
  endsAt: number
  /** Redis's total at the last sync (every instance's hits that had reached it). */
  known: number
  /** Hits counted here, not yet sent. */
  pending: number
  /** Hits sent in the sync under way. */
  sending: number
  windowMs: number
  /** When this instance last counted a hit on it (epoch ms). */
  lastHitAt: number
}

/**
 * How long after its last hit here a window's total is still read back at every sync, though this instance has
 * nothing to add: the other instances' hits keep arriving in the meantime, and a hit here must not be checked
 * against a total as old as the gap between two of its own hits.
 */
const ACTIVE_MS = 1000

/** The window is open and was hit here lately: its total is worth reading back. */
const active = (e: Entry, now: number): boolean => e.endsAt > now && now - e.lastHitAt < ACTIVE_MS

export class CountersUnavailable extends Error {}

/** The window of `key` at `now` (aligned to the clock, shifted by `offsetMs`): its Redis key and its end. */
function windowOf (key: string, windowMs: number, offsetMs: number, now: number): { redisKey: string, endsAt: number } {
  const window = Math.floor((now + offsetMs) / windowMs)
  return { redisKey: `${key}:${window}`, endsAt: (window + 1) * windowMs - offsetMs }
}

/** Every hit this instance knows of: Redis's total at the last sync, plus its own not yet acknowledged. */
const counted = (e: Entry): number => e.known + e.sending + e.pending

/**
 * Fixed-window counters shared by every gateway instance through Redis, counted here and synchronised in batches:
 * each `syncMs` one pipeline adds the hits counted locally (`INCRBY`) and reads back every instance's total. A
 * lookup then costs no Redis round trip of its own (the batched counter-sync pattern of Kong's `sync_rate`).
 * The price is precision across instances: another instance's hits reach Redis up to `syncMs` after they happen,
 * and this instance reads them back up to `syncMs` later (every interval while the window is being hit here, see
 * ACTIVE_MS), plus a round trip: on average one interval late, at most two. N instances at full speed can together
 * exceed a limit by about (N − 1) × rate per instance × syncMs, twice that at most. One instance alone is exact.
 * Windows are aligned to the clock (`offsetMs` shifts them, e.g. to midnight in Vietnam), so every instance uses
 * the same Redis key for the same window.
 *
 * Redis unreachable: counting goes on locally and the unsent hits are added when it returns; with `failOpen`
 * false, hits are refused (`CountersUnavailable`) once no sync has succeeded for `staleMs`.
 */
export class SharedCounters {
  readonly #redis: Redis
  readonly #opts: SharedCountersOptions
  readonly #entries = new Map<string, Entry>()
  #timer: NodeJS.Timeout | undefined
  #syncing: Promise<void> | undefined
  #lastSyncOk = Date.now()
  #failing = false
  #closed = false

  constructor (redis: Redis, opts: SharedCountersOptions) {
    this.#redis = redis
    this.#opts = opts
  }

  /** Counts one hit on `key` in its current window of `windowMs`. */
  async hit (key: string, windowMs: number, offsetMs = 0): Promise<CounterHit> {
    const now = Date.now()
    const { redisKey, endsAt } = windowOf(key, windowMs, offsetMs, now)
    if (this.#opts.syncMs === 0) return await this.#hitNow(redisKey, windowMs, endsAt - now)
    if (!this.#opts.failOpen && this.#failing && now - this.#lastSyncOk > this.#opts.staleMs) {
      throw new CountersUnavailable('rate-limit counters cannot be synchronised with Redis')
    }
    let entry = this.#entries.get(redisKey)
    if (entry === undefined) {
      entry = { redisKey, endsAt, known: 0, pending: 0, sending: 0, windowMs, lastHitAt: now }
      this.#entries.set(redisKey, entry)
    }
    entry.pending++
    entry.lastHitAt = now
    this.#schedule()
    return { current: counted(entry), resetMs: endsAt - now }
  }

  /** Current count of `key` without a hit (what this instance knows). */
  peek (key: string, windowMs: number, offsetMs = 0): CounterHit {
    const now = Date.now()
    const { redisKey, endsAt } = windowOf(key, windowMs, offsetMs, now)
    const entry = this.#entries.get(redisKey)
    return { current: entry === undefined ? 0 : counted(entry), resetMs: endsAt - now }
  }

  async #hitNow (redisKey: string, windowMs: number, resetMs: number): Promise<CounterHit> {
    try {
      const res = await this.#redis.multi().incr(redisKey).pexpire(redisKey, windowMs * 2).exec()
      const current = Number(res?.[0]?.[1])
      if (res?.[0]?.[0] != null || !Number.isFinite(current)) throw res?.[0]?.[0] ?? new Error('no answer')
      return { current, resetMs }
    } catch (err) {
      if (this.#opts.failOpen) return { current: 0, resetMs }
      throw new CountersUnavailable('rate-limit counters are unavailable', { cause: err })
    }
  }

  #schedule (): void {
    if (this.#timer !== undefined || this.#syncing !== undefined || this.#closed) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#syncing = this.#sync().finally(() => {
        this.#syncing = undefined
        const now = Date.now()
        for (const e of this.#entries.values()) {
          if (e.pending > 0 || active(e, now)) { this.#schedule(); break }
        }
      })
    }, this.#opts.syncMs)
    this.#timer.unref()
  }

  /**
   * One pipeline: INCRBY + PEXPIRE per key with unsent hits, GET per key with none whose window is still being hit
   * here (so that this instance sees the others' hits one interval late at most, not one interval after its own
   * next hit); windows that ended and are fully sent are forgotten.
   */
  async #sync (): Promise<void> {
    const now = Date.now()
    const batch: Array<{ entry: Entry, n: number }> = []
    for (const [k, e] of this.#entries) {
      if (e.pending > 0) {
        batch.push({ entry: e, n: e.pending })
        e.sending += e.pending
        e.pending = 0
      } else if (e.sending === 0 && active(e, now)) {
        batch.push({ entry: e, n: 0 })
      } else if (e.sending === 0 && e.endsAt <= now) {
        this.#entries.delete(k)
      }
    }
    if (batch.length === 0) return
    const pipeline = this.#redis.pipeline()
    /** Where each entry's total is among the results. */
    const at: number[] = []
    let ops = 0
    for (const { entry, n } of batch) {
      at.push(ops)
      if (n === 0) {
        pipeline.get(entry.redisKey)
        ops += 1
      } else {
        pipeline.incrby(entry.redisKey, n).pexpire(entry.redisKey, entry.windowMs * 2)
        ops += 2
      }
    }
    let results: Array<[Error | null, unknown]> | null
    try {
      results = await pipeline.exec()
    } catch (err) {
      results = Array.from({ length: ops }, () => [err as Error, null])
    }
    let failure: Error | undefined
    batch.forEach(({ entry, n }, i) => {
      entry.sending -= n
      const [err, total] = results?.[at[i]] ?? [new Error('no answer from Redis'), null]
      // GET of a key no instance has sent a hit to yet: nil, a total of 0
      const value = n === 0 && total === null ? 0 : Number(total)
      if (err === null && Number.isFinite(value)) {
        entry.known = value
      } else {
        failure ??= err ?? new Error('unexpected answer from Redis')
        // kept for the next sync (a day's quota must not forget them); a past second's hits no longer matter
        if (n > 0 && entry.endsAt > Date.now()) entry.pending += n
      }
    })
    if (failure === undefined) {
      this.#lastSyncOk = Date.now()
      this.#failing = false
    } else {
      this.#failing = true
      this.#opts.onSyncError?.(failure)
    }
  }

  /** Sends what is still unsent (once) and stops the timer. */
  async close (): Promise<void> {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#syncing
    await this.#sync().catch(() => {})
  }
}
