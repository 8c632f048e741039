import type pg from 'pg'
import { sortKeys, type ChainedEvent } from './canonical.js'
import { READER_ROLE, withAuditRole } from './store.js'
import { badCursor, pageOf, type Page, type PageRequest } from '../lib/page.js'

/** The filters of GET /v1/audit/events (architecture.md §3.6); `subjectHash` is the keyed hash of `subject`. */
export interface EventFilter {
  from?: Date
  to?: Date
  clientId?: string
  service?: string
  outcome?: string
  kind?: string
  caseId?: string
  traceId?: string
  subjectHash?: string
}

interface Row {
  seq: string,
  id: string,
  at: Date,
  kind: string,
  outcome: string,
  trace_id: string | null,
  span_id: string | null,
  request_id: string | null,
  client_id: string | null,
  end_user: string | null,
  purpose: string | null,
  case_id: string | null,
  service: string | null,
  connector: string | null,
  http_status: number | null,
  upstream_status: number | null,
  duration_ms: number | null,
  upstream_duration_ms: number | null,
  request_bytes: number | null,
  response_bytes: number | null,
  request_hash: string | null,
  response_hash: string | null,
  error_code: string | null,
  subjects: string[],
  details: Record<string, unknown> | null,
  prev_hash: string,
  hash: string
}

export function fromRow (r: Row): ChainedEvent {
  return {
    seq: r.seq,
    id: r.id,
    at: r.at,
    kind: r.kind as ChainedEvent['kind'],
    outcome: r.outcome as ChainedEvent['outcome'],
    traceId: r.trace_id,
    spanId: r.span_id,
    requestId: r.request_id,
    clientId: r.client_id,
    endUser: r.end_user,
    purpose: r.purpose,
    caseId: r.case_id,
    service: r.service,
    connector: r.connector,
    httpStatus: r.http_status,
    upstreamStatus: r.upstream_status,
    durationMs: r.duration_ms,
    upstreamDurationMs: r.upstream_duration_ms,
    requestBytes: r.request_bytes,
    responseBytes: r.response_bytes,
    requestHash: r.request_hash,
    responseHash: r.response_hash,
    errorCode: r.error_code,
    subjects: r.subjects,
    details: r.details === null ? null : sortKeys(r.details) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash
  }
}

/** SQL conditions and parameters of a filter; `params` may already hold values (placeholders continue). */
export function where (f: EventFilter, params: unknown[] = []): { sql: string, params: unknown[] } {
  const conds: string[] = []
  const add = (cond: string, value: unknown): void => { params.push(value); conds.push(cond.replace('?', `$${params.length}`)) }
  if (f.from !== undefined) add('at >= ?', f.from)
  if (f.to !== undefined) add('at <= ?', f.to)
  if (f.clientId !== undefined) add('client_id = ?', f.clientId)
  if (f.service !== undefined) add('service = ?', f.service)
  if (f.outcome !== undefined) add('outcome = ?', f.outcome)
  if (f.kind !== undefined) add('kind = ?', f.kind)
  if (f.caseId !== undefined) add('case_id = ?', f.caseId)
  if (f.traceId !== undefined) add('trace_id = ?', f.traceId)
  if (f.subjectHash !== undefined) add('subjects @> ARRAY[?]::text[]', f.subjectHash)
  return { sql: conds.length > 0 ? conds.join(' AND ') : 'true', params }
}

/**
 * One page, newest first. The cursor is a position in the chain: events written meanwhile have higher
 * positions, so they never shift the pages that follow.
 */
export async function listEvents (db: pg.Pool, f: EventFilter, page: PageRequest): Promise<Page<ChainedEvent>> {
  if (page.after !== undefined && !/^\d{1,19}$/.test(page.after)) throw badCursor()
  const w = where(f)
  if (page.after !== undefined) { w.params.push(page.after); w.sql += ` AND seq < $${w.params.length}` }
  w.params.push(page.limit + 1)
  const rows = await withAuditRole(db, READER_ROLE, async (c) =>
    (await c.query<Row>(`SELECT * FROM audit_events WHERE ${w.sql} ORDER BY seq DESC LIMIT $${w.params.length}`, w.params)).rows)
  return pageOf(rows, page.limit, (r) => r.seq, fromRow)
}

/** The chain head: position and hash of the last event appended. */
export async function chainHead (db: pg.Pool): Promise<{ seq: string, hash: string }> {
  const row = await withAuditRole(db, READER_ROLE, async (c) =>
    (await c.query<{ last_seq: string, last_hash: string }>('SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1')).rows[0])
  return { seq: row.last_seq, hash: row.last_hash }
}

/**
 * Events of the filter in chain order (oldest first), `pageSize` at a time, up to position `until` (default: the
 * chain head at the start, so that a long export does not chase the events written meanwhile).
 */
export async function * eventsInOrder (db: pg.Pool | pg.PoolClient, f: EventFilter, until?: string, pageSize = 1000): AsyncGenerator<ChainedEvent[]> {
  // A client is already in a reader transaction (one snapshot); a pool gets one short transaction per page, so
  // that a slow export client holds no snapshot open.
  const read = async (sql: string, params: unknown[]): Promise<Row[]> => 'release' in db
    ? (await db.query<Row>(sql, params)).rows
    : await withAuditRole(db, READER_ROLE, async (c) => (await c.query<Row>(sql, params)).rows)
  const head = until ?? (await chainHead(db as pg.Pool)).seq
  let after = '0'
  for (;;) {
    const w = where(f, [after, head])
    const rows = await read(`SELECT * FROM audit_events WHERE seq > $1 AND seq <= $2 AND ${w.sql} ORDER BY seq LIMIT ${pageSize}`, w.params)
    if (rows.length === 0) return
    yield rows.map(fromRow)
    after = rows[rows.length - 1].seq
    if (rows.length < pageSize) return
  }
}

/** Every event of one trace, in chain order. */
export async function traceEvents (db: pg.Pool, traceId: string): Promise<ChainedEvent[]> {
  return await withAuditRole(db, READER_ROLE, async (c) =>
    (await c.query<Row>('SELECT * FROM audit_events WHERE trace_id = $1 ORDER BY seq', [traceId])).rows.map(fromRow))
}

/** Hash of the event at a position, or of the anchor retention left for it; undefined when neither exists. */
export async function hashAt (c: pg.PoolClient, seq: string): Promise<string | undefined> {
  const { rows } = await c.query<{ hash: string }>(
    'SELECT hash FROM audit_events WHERE seq = $1 UNION ALL SELECT hash FROM audit_chain_anchors WHERE seq = $1 LIMIT 1', [seq])
  return rows[0]?.hash
}
