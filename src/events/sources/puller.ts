import { hexId } from '../ids.js'
import type { FastifyBaseLogger } from 'fastify'
import type pg from 'pg'
import type { FeedPage } from '../../connectors/contract.js'
import type { PublishOptions, PublishResult, SourceEvent } from '../ingest.js'

/** A source pulled with a cursor: a connector instance's change feed, or the gateway's code tables. */
export interface PullSource {
  id: string
  /** Where a source never pulled before starts (null: the feed's beginning). */
  initialCursor: string | null
  fetch (cursor: string | null, limit: number): Promise<FeedPage>
}

export interface PullerSettings {
  intervalMs: number
  /** Events asked for per page. */
  limit: number
  /** How long a puller holds a source (renewed with every page). */
  leaseMs: number
  /** Pages per source and run, so one busy source does not hold the others back. */
  maxPages: number
}

export interface PullerDeps {
  db: pg.Pool
  log: FastifyBaseLogger
  sources: () => PullSource[]
  publish: (events: SourceEvent[], opts: PublishOptions) => Promise<PublishResult>
  settings: PullerSettings
}

/**
 * Pulls every source with its cursor, exactly once per event across restarts and instances: one puller at a time
 * holds a source's lease (a row of event_source_cursors, taken when free or expired); a page's events and the
 * cursor after them are written in one transaction, and only if this puller still holds the lease and the cursor
 * is still the one it read (src/events/ingest.ts); an event handed over twice (a page pulled again after a crash)
 * is recorded once, by its source id. A page that fails is retried at the next run from the same cursor.
 */
export class Pullers {
  /** This process's name in the leases. */
  readonly holder = hexId('puller-', 6)
  readonly #deps: PullerDeps
  readonly #running = new Map<string, Promise<number>>()
  #timer: NodeJS.Timeout | undefined
  #stopped = false

  constructor (deps: PullerDeps) { this.#deps = deps }

  start (): void {
    const tick = (): void => {
      if (this.#stopped) return
      for (const source of this.#deps.sources()) void this.run(source)
    }
    this.#timer = setInterval(tick, this.#deps.settings.intervalMs)
    this.#timer.unref()
    tick()
  }

  /** Pulls one source now, unless a run of it is in progress here (then that run's result). */
  async run (source: PullSource): Promise<number> {
    const current = this.#running.get(source.id)
    if (current !== undefined) return await current
    const run = this.#pull(source)
      .catch((err: Error) => { this.#deps.log.warn({ source: source.id, err: err.message }, 'event source pull failed'); return 0 })
      .finally(() => this.#running.delete(source.id))
    this.#running.set(source.id, run)
    return await run
  }

  /** Pulls every source until it has nothing new (tests, admin): events recorded per source. */
  async drain (): Promise<Record<string, number>> {
    const out: Record<string, number> = {}
    for (const source of this.#deps.sources()) {
      let n = 0
      for (let got = await this.run(source); got > 0; got = await this.run(source)) n += got
      out[source.id] = n
    }
    return out
  }

  async #lease (source: PullSource): Promise<{ cursor: string | null } | undefined> {
    const { db, settings } = this.#deps
    await db.query('INSERT INTO event_source_cursors (source, cursor) VALUES ($1, $2) ON CONFLICT (source) DO NOTHING', [source.id, source.initialCursor])
    const { rows } = await db.query<{ cursor: string | null }>(`
      UPDATE event_source_cursors SET leased_by = $2, lease_until = now() + make_interval(secs => $3::double precision / 1000), updated_at = now()
      WHERE source = $1 AND (leased_by = $2 OR lease_until IS NULL OR lease_until < now()) RETURNING cursor`,
    [source.id, this.holder, settings.leaseMs])
    return rows[0]
  }

  async #pull (source: PullSource): Promise<number> {
    const { settings, log } = this.#deps
    let recorded = 0
    for (let page = 0; page < settings.maxPages && !this.#stopped; page++) {
      const lease = await this.#lease(source)
      if (lease === undefined) break
      let got: FeedPage
      try {
        got = await source.fetch(lease.cursor, settings.limit)
      } catch (err) {
        await this.#deps.db.query('UPDATE event_source_cursors SET last_error = $3, updated_at = now() WHERE source = $1 AND leased_by = $2',
          [source.id, this.holder, String((err as Error).message).slice(0, 300)])
        throw err
      }
      if (got.events.length === 0 && got.cursor === lease.cursor) break
      const result = await this.#deps.publish(got.events, { source: source.id, cursor: { holder: this.holder, from: lease.cursor, to: got.cursor } })
      if (result.refused !== undefined) break
      recorded += result.recorded.length
      for (const r of result.rejected) {
        // paths and messages of the schema only: never the values
        log.warn({ source: source.id, sourceEventId: r.sourceEventId, type: r.type, errors: r.errors.map((e) => e.path) }, 'event from a source refused: not valid against its type')
      }
      if (got.events.length < settings.limit || got.cursor === lease.cursor) break
    }
    return recorded
  }

  /** Stops pulling, waits for the runs in progress, and gives the leases back. */
  async stop (): Promise<void> {
    this.#stopped = true
    clearInterval(this.#timer)
    await Promise.all(this.#running.values())
    await this.#deps.db.query('UPDATE event_source_cursors SET leased_by = NULL, lease_until = NULL WHERE leased_by = $1', [this.holder]).catch(() => {})
  }
}
