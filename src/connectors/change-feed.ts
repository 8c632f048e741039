import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'

export const CONFIG_CHANNEL = 'lienthong_config'

/**
 * Tells this instance when the shared configuration changed: PostgreSQL LISTEN/NOTIFY (the NOTIFY is sent
 * in the same transaction as the change, so it arrives only once the change is visible), plus a periodic
 * re-read as a safety net for a lost connection. Reconnects by itself.
 */
export class ChangeFeed {
  readonly #pool: pg.Pool
  readonly #log: FastifyBaseLogger
  readonly #onChange: (payload: string) => void
  readonly #poll: NodeJS.Timeout
  readonly #channel: string
  #client: pg.PoolClient | undefined
  #closed = false
  #retry: NodeJS.Timeout | undefined

  /** `channel`: the NOTIFY channel listened to (default: configuration changes). */
  constructor (pool: pg.Pool, log: FastifyBaseLogger, pollMs: number, onChange: (payload: string) => void, channel = CONFIG_CHANNEL) {
    this.#pool = pool
    this.#channel = channel
    this.#log = log
    this.#onChange = onChange
    this.#poll = setInterval(() => onChange('poll'), pollMs)
    this.#poll.unref()
  }

  async start (): Promise<void> {
    if (this.#closed) return
    try {
      const client = await this.#pool.connect()
      client.on('notification', (msg) => { if (msg.channel === this.#channel) this.#onChange(msg.payload ?? '') })
      client.on('error', (err) => {
        this.#log.warn({ err: err.message }, `change feed ${this.#channel} lost its connection; reconnecting`)
        this.#drop(client)
        this.#schedule()
      })
      await client.query(`LISTEN ${this.#channel}`)
      this.#client = client
      // Whatever changed while we were not listening.
      this.#onChange('reconnect')
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, `change feed ${this.#channel} cannot listen yet; retrying`)
      this.#schedule()
    }
  }

  readonly #released = new WeakSet<pg.PoolClient>()

  /** Gives a broken client back (destroyed) once, however many 'error' events it emits. */
  #drop (client: pg.PoolClient): void {
    if (this.#client === client) this.#client = undefined
    if (this.#released.has(client)) return
    this.#released.add(client)
    client.release(true)
  }

  #schedule (): void {
    if (this.#closed || this.#retry !== undefined) return
    this.#retry = setTimeout(() => { this.#retry = undefined; void this.start() }, 1000)
    this.#retry.unref()
  }

  async close (): Promise<void> {
    this.#closed = true
    clearInterval(this.#poll)
    if (this.#retry !== undefined) clearTimeout(this.#retry)
    const client = this.#client
    this.#client = undefined
    if (client !== undefined) {
      await client.query(`UNLISTEN ${this.#channel}`).catch(() => {})
      this.#drop(client)
    }
  }
}

/** Sends the change notification inside the caller's transaction. */
export async function notifyChange (client: pg.PoolClient | pg.Pool, payload: string): Promise<void> {
  await client.query('SELECT pg_notify($1, $2)', [CONFIG_CHANNEL, payload])
}
