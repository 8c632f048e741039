import type pg from 'pg'
import { canonicalTail, chain, GENESIS_HASH, type PreparedEvent } from '../../src/audit/canonical.js'

/**
 * A prototype of the audit write's redesign (docs/performance.md, "The audit write"), for its measured motivation
 * only — not the gateway's code: the chain computed by the writer that holds the head (one `FOR UPDATE` per
 * batch, sha256 in Node.js with `chain()` of src/audit/canonical.ts, the same hashes), hashes stored as 32-byte
 * `bytea` (sent as hex, decoded by the server), rows sent in one set-based statement of typed arrays (no PL/pgSQL loop, no JSON parse per row), the
 * subjects in a narrow side table with a b-tree instead of a GIN on an array, a BRIN on time, and the other
 * secondary indexes of today (seq, trace, client, case). COPY would send the same rows with less parsing still.
 */
const TABLES = `
CREATE TABLE proto_events (
  seq bigint NOT NULL, id uuid NOT NULL, at timestamptz NOT NULL, kind text NOT NULL, outcome text NOT NULL,
  trace_id text, span_id text, request_id text, client_id text, end_user text, purpose text, case_id text,
  service text, connector text, http_status integer, upstream_status integer, duration_ms double precision,
  upstream_duration_ms double precision, request_bytes integer, response_bytes integer, request_hash bytea,
  response_hash bytea, error_code text, details jsonb, prev_hash bytea NOT NULL, hash bytea NOT NULL,
  PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE proto_events_all PARTITION OF proto_events FOR VALUES FROM ('2000-01-01') TO ('2100-01-01');
CREATE INDEX proto_events_seq ON proto_events (seq);
CREATE INDEX proto_events_trace ON proto_events (trace_id) WHERE trace_id IS NOT NULL;
CREATE INDEX proto_events_client ON proto_events (client_id, seq);
CREATE INDEX proto_events_case ON proto_events (case_id) WHERE case_id IS NOT NULL;
CREATE INDEX proto_events_at ON proto_events USING brin (at);
CREATE TABLE proto_subjects (subject bytea NOT NULL, seq bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE proto_subjects_all PARTITION OF proto_subjects FOR VALUES FROM ('2000-01-01') TO ('2100-01-01');
CREATE INDEX proto_subjects_subject ON proto_subjects (subject);
CREATE TABLE proto_head (id int PRIMARY KEY, last_seq bigint NOT NULL, last_hash bytea NOT NULL);
INSERT INTO proto_head VALUES (1, 0, decode('${GENESIS_HASH}', 'hex'));
`

const INSERT = `INSERT INTO proto_events (seq, id, at, kind, outcome, trace_id, span_id, request_id, client_id, end_user, purpose,
  case_id, service, connector, http_status, upstream_status, duration_ms, upstream_duration_ms, request_bytes, response_bytes,
  request_hash, response_hash, error_code, details, prev_hash, hash)
SELECT u.seq, u.id, u.at, u.kind, u.outcome, u.trace_id, u.span_id, u.request_id, u.client_id, u.end_user, u.purpose, u.case_id,
  u.service, u.connector, u.http_status, u.upstream_status, u.duration_ms, u.upstream_duration_ms, u.request_bytes, u.response_bytes,
  decode(u.request_hash, 'hex'), decode(u.response_hash, 'hex'), u.error_code, u.details, decode(u.prev_hash, 'hex'), decode(u.hash, 'hex')
FROM unnest($1::bigint[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
  $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::integer[], $16::integer[],
  $17::double precision[], $18::double precision[], $19::integer[], $20::integer[], $21::text[], $22::text[], $23::text[],
  $24::jsonb[], $25::text[], $26::text[]) AS u(seq, id, at, kind, outcome, trace_id, span_id, request_id, client_id, end_user,
  purpose, case_id, service, connector, http_status, upstream_status, duration_ms, upstream_duration_ms, request_bytes,
  response_bytes, request_hash, response_hash, error_code, details, prev_hash, hash)`

export async function createPrototype (pool: pg.Pool): Promise<void> {
  await pool.query(TABLES)
}

/** Appends one batch the redesigned way: one transaction, one lock on the head, two set-based inserts. */
export async function prototypeAppend (pool: pg.Pool, events: PreparedEvent[]): Promise<void> {
  const c = await pool.connect()
  try {
    await c.query('BEGIN')
    const head = await c.query<{ last_seq: string, last_hash: Buffer }>('SELECT last_seq, last_hash FROM proto_head WHERE id = 1 FOR UPDATE')
    const chained = chain(events, BigInt(head.rows[0].last_seq), head.rows[0].last_hash.toString('hex'))
    const col = <T>(f: (e: (typeof chained)[number]) => T): T[] => chained.map(f)
    await c.query(INSERT, [
      col((e) => e.seq), col((e) => e.id), col((e) => e.at.toISOString()), col((e) => e.kind), col((e) => e.outcome),
      col((e) => e.traceId), col((e) => e.spanId), col((e) => e.requestId), col((e) => e.clientId), col((e) => e.endUser),
      col((e) => e.purpose), col((e) => e.caseId), col((e) => e.service), col((e) => e.connector), col((e) => e.httpStatus),
      col((e) => e.upstreamStatus), col((e) => e.durationMs), col((e) => e.upstreamDurationMs), col((e) => e.requestBytes),
      col((e) => e.responseBytes), col((e) => e.requestHash), col((e) => e.responseHash), col((e) => e.errorCode),
      col((e) => e.detailsJson ?? JSON.stringify(e.details)), col((e) => e.prevHash), col((e) => e.hash)
    ])
    const subjects = chained.flatMap((e) => e.subjects.map((s) => ({ s, seq: e.seq, at: e.at.toISOString() })))
    if (subjects.length > 0) {
      await c.query('INSERT INTO proto_subjects SELECT decode(s, \'hex\'), seq, at FROM unnest($1::text[], $2::bigint[], $3::timestamptz[]) AS u(s, seq, at)',
        [subjects.map((x) => x.s), subjects.map((x) => x.seq), subjects.map((x) => x.at)])
    }
    const last = chained[chained.length - 1]
    await c.query('UPDATE proto_head SET last_seq = $1, last_hash = decode($2, \'hex\') WHERE id = 1', [last.seq, last.hash])
    await c.query('COMMIT')
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    c.release()
  }
}

/**
 * The write before 2026-12-05, for comparison: one call of audit_append() (migrations 004/007) with each event's
 * canonical text, in one round trip; the database parses, numbers, hashes and inserts each line.
 */
export async function previousAppend (pool: pg.Pool, events: PreparedEvent[]): Promise<void> {
  const c = await pool.connect()
  try {
    // as it was sent: one simple query, the batch a dollar-quoted literal (canonical JSON holds no `$p$`)
    await c.query(`BEGIN; SET LOCAL ROLE lienthong_audit_writer; SELECT audit_append($p$${events.map(canonicalTail).join('\n')}$p$, false); COMMIT`)
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    c.release()
  }
}
