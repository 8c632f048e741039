import pg from 'pg'

export interface PoolDeadlines {
  /** Longest a statement may run on the server (`statement_timeout`), and, with a small margin, the client's wait for its answer. */
  queryMs: number
  /** Longest a new connection may take, and a caller may wait for a free client of the pool. */
  connectMs: number
}

/** What the client waits beyond the server's own statement_timeout, so that the server's clean cancel usually arrives first. */
const CLIENT_MARGIN_MS = 200

/**
 * A PostgreSQL pool whose every wait has a deadline (docs/api-conventions.md, "Bounded waits"): acquiring a client
 * and connecting (`connectionTimeoutMillis`), a statement on the server (`statement_timeout`: the server cancels it
 * and the connection stays usable) and the client's wait for an answer (`query_timeout`: a frozen or partitioned
 * server answers nothing, not even a cancel). A client whose query timed out on the client side is destroyed by
 * the pool when given back with the error (`pool.query` does; `withPoolClient` does for checked-out clients).
 * Connection errors are reported to `warn`, never thrown at the process.
 */
export function createPool (connectionString: string, opts: { max: number, name: string, deadlines: PoolDeadlines, warn: (msg: string, err: Error) => void }): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: opts.max,
    connectionTimeoutMillis: opts.deadlines.connectMs,
    statement_timeout: opts.deadlines.queryMs,
    query_timeout: opts.deadlines.queryMs + CLIENT_MARGIN_MS,
    idleTimeoutMillis: 30_000,
    application_name: opts.name
  })
  // An idle client losing its server must not crash the process; the next query reports the error.
  pool.on('error', (err) => { opts.warn(`${opts.name}: idle client error`, err) })
  // A checked-out client has no pool listener: without one, a server crash would be an uncaught 'error' that kills
  // the process. The query in flight still fails and is reported to its caller.
  pool.on('connect', (client) => { client.on('error', (err) => { opts.warn(`${opts.name}: client error`, err) }) })
  return pool
}

/**
 * Runs `fn` with a client of the pool, then `finish` (a ROLLBACK, an advisory unlock) whatever happened. A client
 * whose work or finish failed is destroyed rather than given back: it may be in a transaction its ROLLBACK never
 * reached (timed out), hold a session lock, or still have a statement in flight on a frozen server, and the next
 * user would run inside any of them. A failed `finish` after a successful `fn` does not fail the call (the
 * destroyed session releases what it held).
 */
export async function withPoolClient<T> (pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, finish?: (client: pg.PoolClient) => Promise<unknown>): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    return await fn(client)
  } catch (err) {
    broken = err as Error
    throw err
  } finally {
    if (finish !== undefined) await finish(client).catch((err: Error) => { broken ??= err })
    client.release(broken)
  }
}

/** What a transaction's body returns to roll back instead of committing, with the value to answer. */
export class Rollback<T> {
  readonly value: T
  constructor (value: T) { this.value = value }
}

/**
 * Runs `fn` in a transaction opened by `begin` (`BEGIN`, or `BEGIN; SET LOCAL ROLE …`) and commits it, or rolls it
 * back when `fn` returns a `Rollback` (its value is returned); on failure rolls back when it can and destroys the
 * client (withPoolClient).
 */
export async function withTransaction<T> (pool: pg.Pool, begin: string, fn: (client: pg.PoolClient) => Promise<T | Rollback<T>>): Promise<T> {
  return await withPoolClient(pool, async (client) => {
    await client.query(begin)
    try {
      const result = await fn(client)
      if (result instanceof Rollback) {
        await client.query('ROLLBACK')
        return result.value
      }
      await client.query('COMMIT')
      return result
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw err
    }
  })
}
