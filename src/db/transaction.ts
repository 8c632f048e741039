import type pg from 'pg'

/** What a transaction's body returns to roll back instead of committing, with the value to answer. */
export class Rollback<T> {
  readonly value: T
  constructor (value: T) { this.value = value }
}

/**
 * Runs `fn` in a transaction on one client of the pool: committed when it returns, rolled back when it throws
 * (the error is rethrown) or returns a `Rollback` (its value is returned). The client is always released.
 */
export async function withTransaction<T> (pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T | Rollback<T>>): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const out = await fn(client)
    if (out instanceof Rollback) {
      await client.query('ROLLBACK')
      return out.value
    }
    await client.query('COMMIT')
    return out
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}
