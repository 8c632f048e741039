import { randomBytes } from 'node:crypto'
import type pg from 'pg'
import { chain, detailsJson, type ChainedEvent, type PreparedEvent } from './canonical.js'

export const WRITER_ROLE = 'lienthong_audit_writer'
export const READER_ROLE = 'lienthong_audit_reader'

/** Runs `fn` in a transaction under one of the audit roles (the database enforces what each may do). */
export async function withAuditRole<T> (pool: pg.Pool, role: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    await client.query(`BEGIN; SET LOCAL ROLE ${role}`)
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    broken = err as Error
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    // A connection that failed mid-transaction may be dead: do not give it back to the pool.
    client.release(broken)
  }
}

const COLUMNS = [
  ['seq', 'bigint'], ['id', 'uuid'], ['at', 'timestamptz'], ['kind', 'text'], ['outcome', 'text'],
  ['trace_id', 'text'], ['span_id', 'text'], ['request_id', 'text'], ['client_id', 'text'], ['end_user', 'text'],
  ['purpose', 'text'], ['case_id', 'text'], ['service', 'text'], ['connector', 'text'], ['http_status', 'integer'],
  ['upstream_status', 'integer'], ['duration_ms', 'double precision'], ['upstream_duration_ms', 'double precision'],
  ['request_bytes', 'integer'], ['response_bytes', 'integer'], ['request_hash', 'text'], ['response_hash', 'text'],
  ['error_code', 'text'], ['subjects', 'text[]'], ['details', 'jsonb'], ['prev_hash', 'text'], ['hash', 'text']
] as const

// The batch travels as one JSON array of positional arrays (COLUMNS order), read back with ->> and casts.
const SELECT_COLUMNS = COLUMNS.map(([, type], i) => type === 'text[]'
  ? `ARRAY(SELECT jsonb_array_elements_text(x->${i}))`
  : type === 'jsonb' ? `NULLIF(x->${i}, 'null'::jsonb)` : `(x->>${i})::${type}`)
const INSERT = `INSERT INTO audit_events (${COLUMNS.map((c) => c[0]).join(', ')})
  SELECT ${SELECT_COLUMNS.join(', ')} FROM jsonb_array_elements($1::jsonb) AS x`

/** One event as the JSON array of its columns; the details text is reused, not serialised again. */
function toRow (e: ChainedEvent): string {
  const head = JSON.stringify([
    e.seq, e.id, e.at.toISOString(), e.kind, e.outcome, e.traceId, e.spanId, e.requestId, e.clientId, e.endUser,
    e.purpose, e.caseId, e.service, e.connector, e.httpStatus, e.upstreamStatus, e.durationMs, e.upstreamDurationMs,
    e.requestBytes, e.responseBytes, e.requestHash, e.responseHash, e.errorCode, e.subjects
  ])
  return `${head.slice(0, -1)},${detailsJson(e)},${JSON.stringify(e.prevHash)},${JSON.stringify(e.hash)}]`
}

const monthKey = (d: Date): string => `${d.getUTCFullYear()}-${d.getUTCMonth()}`

/**
 * Appends batches to the chain. One transaction per batch: take the chain head FOR UPDATE (writers of every
 * instance append in turn), assign seq and hashes, insert, move the head. After a failed attempt whose outcome is
 * unknown (the connection died around COMMIT), `dedupe` drops the events the database already holds.
 */
export class AuditStore {
  readonly #pool: pg.Pool
  readonly #months = new Set<string>()

  constructor (pool: pg.Pool) { this.#pool = pool }

  async append (events: PreparedEvent[], dedupe: boolean): Promise<number> {
    if (events.length === 0) return 0
    const c = await this.#pool.connect()
    let broken: Error | undefined
    try {
      return await this.#append(c, events, dedupe)
    } catch (err) {
      broken = err as Error
      this.#months.clear() // a partition may have been dropped meanwhile: check again next time
      await c.query('ROLLBACK').catch(() => {})
      throw err
    } finally {
      c.release(broken) // a connection that failed mid-transaction may be dead: never reuse it
    }
  }

  /** Two round trips in the usual case: open + lock the head, then insert + move the head + commit. */
  async #append (c: pg.PoolClient, events: PreparedEvent[], dedupe: boolean): Promise<number> {
    // The head first: writers queue here, before any partition DDL (no lock-order deadlock with inserts).
    const opened = await c.query(`BEGIN; SET LOCAL ROLE ${WRITER_ROLE};
      SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE`) as unknown as Array<pg.QueryResult<{ last_seq: string, last_hash: string }>>
    const head = opened[opened.length - 1].rows[0]
    for (const e of events) {
      const key = monthKey(e.at)
      if (this.#months.has(key)) continue
      await c.query('SELECT audit_ensure_partition($1)', [e.at])
      this.#months.add(key)
    }
    let todo = events
    if (dedupe) {
      const times = events.map((e) => e.at.getTime())
      const { rows } = await c.query<{ id: string }>(
        'SELECT id FROM audit_events WHERE id = ANY($1::uuid[]) AND at BETWEEN $2 AND $3',
        [events.map((e) => e.id), new Date(Math.min(...times)), new Date(Math.max(...times))])
      const present = new Set(rows.map((r) => r.id))
      todo = events.filter((e) => !present.has(e.id))
      if (todo.length === 0) {
        await c.query('COMMIT')
        return 0
      }
    }
    const chained = chain(todo, BigInt(head.last_seq), head.last_hash)
    const last = chained[chained.length - 1]
    // One simple query: the batch as a dollar-quoted literal (a tag the text cannot contain), seq and hash are
    // digits and hex.
    const json = `[${chained.map(toRow).join(',')}]`
    let tag = `$a${randomBytes(6).toString('hex')}`
    while (json.includes(tag)) tag = `$a${randomBytes(6).toString('hex')}`
    tag += '$'
    await c.query(`${INSERT.replace('$1::jsonb', `${tag}${json}${tag}::jsonb`)};
      UPDATE audit_chain_head SET last_seq = ${BigInt(last.seq)}, last_hash = '${last.hash.replace(/[^0-9a-f]/g, '')}' WHERE id = 1;
      COMMIT`)
    return todo.length
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
