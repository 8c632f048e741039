import { randomBytes } from 'node:crypto'
import type pg from 'pg'
import { canonicalTail, type PreparedEvent } from './canonical.js'
import { withPoolClient, withTransaction } from '../db/pool.js'

export const WRITER_ROLE = 'lienthong_audit_writer'
export const READER_ROLE = 'lienthong_audit_reader'

/** Runs `fn` in a transaction under one of the audit roles (the database enforces what each may do). */
export async function withAuditRole<T> (pool: pg.Pool, role: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  return await withTransaction(pool, `BEGIN; SET LOCAL ROLE ${role}`, fn)
}

/**
 * Appends batches to the chain with one round trip per batch: audit_append() (migrations/004_audit.sql) takes the
 * chain head FOR UPDATE — writers of every instance append in turn —, numbers, hashes and inserts the events and
 * moves the head, in the writer role. After a failed attempt whose outcome is unknown (the connection died around
 * COMMIT), `dedupe` skips the events the database already holds.
 */
export class AuditStore {
  readonly #pool: pg.Pool

  constructor (pool: pg.Pool) { this.#pool = pool }

  /** Appends a batch in order; resolves how many events were appended (fewer when `dedupe` found some). */
  async append (events: PreparedEvent[], dedupe: boolean): Promise<number> {
    if (events.length === 0) return 0
    // One line per event, its canonical text (JSON escapes every newline inside it): the database reads the
    // columns from that text and hashes it. Sent as a dollar-quoted literal under a tag the text does not contain:
    // one simple query, one write.
    const json = events.map(canonicalTail).join('\n')
    let tag = `$a${randomBytes(6).toString('hex')}`
    while (json.includes(tag)) tag = `$a${randomBytes(6).toString('hex')}`
    tag += '$'
    // a connection that failed mid-transaction may be dead, or still busy: never reused (withPoolClient)
    return await withPoolClient(this.#pool, async (c) => {
      try {
        const results = await c.query(`BEGIN; SET LOCAL ROLE ${WRITER_ROLE};
          SELECT audit_append(${tag}${json}${tag}, ${dedupe ? 'true' : 'false'}) AS n; COMMIT`) as unknown as Array<pg.QueryResult<{ n: string }>>
        return Number(results[2].rows[0].n)
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {})
        throw err
      }
    })
  }

  /** Creates the partitions of this month and the next `ahead` months (retention tick). */
  async ensureAhead (ahead: number, now = new Date()): Promise<void> {
    await withAuditRole(this.#pool, WRITER_ROLE, async (c) => {
      await c.query('SELECT 1 FROM audit_chain_head WHERE id = 1 FOR UPDATE') // same lock order as append
      for (let i = 0; i <= ahead; i++) {
        const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 1))
        await c.query('SELECT audit_ensure_partition($1)', [month])
      }
    })
  }

  /** Drops the monthly partitions past the retention (the database keeps its own floor); returns their names. */
  async dropExpired (keepMonths: number): Promise<string[]> {
    return await withAuditRole(this.#pool, WRITER_ROLE, async (c) =>
      (await c.query<{ dropped: string[] }>('SELECT audit_drop_expired($1) AS dropped', [keepMonths])).rows[0].dropped)
  }

  /** The development key kept in the database when AUDIT_KEY is not configured (created once). */
  async localKey (generated: string): Promise<string> {
    return await withAuditRole(this.#pool, WRITER_ROLE, async (c) => {
      await c.query('INSERT INTO audit_local_key (id, key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [generated])
      return (await c.query<{ key: string }>('SELECT key FROM audit_local_key WHERE id = 1')).rows[0].key
    })
  }
}
