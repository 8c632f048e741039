import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { links, type PreparedEvent } from './canonical.js'
import { COPY_COLUMNS, copyText } from './copy-rows.js'
import { withPoolClient, withTransaction } from '../db/pool.js'

export const WRITER_ROLE = 'lienthong_audit_writer'
export const READER_ROLE = 'lienthong_audit_reader'

/** Runs `fn` in a transaction under one of the audit roles (the database enforces what each may do). */
export async function withAuditRole<T> (pool: pg.Pool, role: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  return await withTransaction(pool, `BEGIN; SET LOCAL ROLE ${role}`, fn)
}

/**
 * Appends batches to the chain. The writer holds the chain head for the batch — `audit_chain_head` FOR UPDATE, one
 * lock per batch, so writers of every instance append in turn —, numbers and hashes the events itself (`links()`,
 * the definition verification uses) and sends the rows with `COPY` into the month's partitions, then moves the head
 * and commits: three round trips (the partition check only for a month not seen yet), and no per-row parse, hash
 * or PL/pgSQL in the database (docs/audit.md, Cost).
 * Everything runs in the writer role. After a failed attempt whose outcome is unknown (the connection died around
 * COMMIT), `dedupe` skips the events the database already holds. An older gateway appending through
 * `audit_append()` at the same time takes the same lock and computes the same hashes: both can run side by side
 * during a rolling upgrade.
 */
export class AuditStore {
  readonly #pool: pg.Pool
  /** Months whose partition this store has seen exist: their batches skip audit_ensure_partition(). */
  readonly #months = new Set<string>()

  constructor (pool: pg.Pool) { this.#pool = pool }

  /** Appends a batch in order; resolves how many events were appended (fewer when `dedupe` found some). */
  async append (events: PreparedEvent[], dedupe: boolean): Promise<number> {
    if (events.length === 0) return 0
    // a connection that failed mid-transaction may be dead, or still busy: never reused (withPoolClient)
    return await withPoolClient(this.#pool, async (c) => {
      try {
        // the head first, then the partitions: the lock order of ensureAhead and of audit_append()
        const months = [...new Set(events.map((e) => monthOf(e.at)))]
        const ensure = months.filter((m) => !this.#months.has(m)).map((m) => `; SELECT audit_ensure_partition('${m}')`).join('')
        const opened = await c.query(`BEGIN; SET LOCAL ROLE ${WRITER_ROLE};
          SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE${ensure}`) as unknown as Array<pg.QueryResult<{ last_seq: string, last_hash: string }>>
        const head = opened[2].rows[0]
        const todo = dedupe ? await notStored(c, events) : events
        if (todo.length === 0) {
          await c.query('COMMIT')
          return 0
        }
        const chained = links(todo, BigInt(head.last_seq), head.last_hash)
        await pipeline(Readable.from([copyText(todo, chained)]), c.query(copyFrom(`COPY audit_events (${COPY_COLUMNS}) FROM STDIN`)))
        // the head moves and the batch commits in one round trip; both values are the writer's own (a bigint and
        // a hex digest), checked before they are written into the statement
        const last = chained[chained.length - 1]
        if (!HEX64.test(last.hash)) throw new Error('audit chain: a hash that is not a sha256 digest')
        await c.query(`UPDATE audit_chain_head SET last_seq = ${BigInt(last.seq)}, last_hash = '${last.hash}' WHERE id = 1; COMMIT`)
        for (const m of months) this.#months.add(m)
        return todo.length
      } catch (err) {
        // a partition dropped or renamed behind our back: the next batch asks for it again
        this.#months.clear()
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

const HEX64 = /^[0-9a-f]{64}$/

/** The first instant of the event's month (UTC), ISO: the partition it goes to. */
const monthOf = (at: Date): string => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)).toISOString()

/** The events of a retried batch that the database does not hold yet (same id and time), in order, each once. */
async function notStored (c: pg.PoolClient, events: PreparedEvent[]): Promise<PreparedEvent[]> {
  const { rows } = await c.query<{ id: string, at: Date }>(
    'SELECT id::text AS id, at FROM audit_events WHERE (id, at) IN (SELECT * FROM unnest($1::uuid[], $2::timestamptz[]))',
    [events.map((e) => e.id), events.map((e) => e.at.toISOString())])
  const seen = new Set(rows.map((r) => `${r.id} ${r.at.getTime()}`))
  return events.filter((e) => {
    const key = `${e.id.toLowerCase()} ${e.at.getTime()}`
    if (seen.has(key)) return false
    seen.add(key) // a repeat inside the batch is skipped too
    return true
  })
}
