import type pg from 'pg'

/** One delivery taken for one attempt: the event's exact body (what is signed and sent) and what the audit needs. */
export interface EventClaim {
  seq: string
  /** Attempts made, this one included (fences the outcome: a later claim after the lease ended moves it on). */
  attempts: number
  /** Attempts since the last replay: what the retry policy counts. */
  n: number
  id: string
  type: string
  body: string
  caseId: string | null
  subjectHashes: string[]
}

/**
 * Takes up to `limit` deliveries of one subscription for an attempt, oldest first: waiting ones, retries that
 * are due, and attempts whose lease ended (their worker died). A delivery is taken only when every earlier
 * delivery of the same subject to this subscription is delivered, so per subject they go one at a time, in order
 * (a batch holds at most one per subject). SKIP LOCKED: several lanes of one subscription take disjoint batches.
 */
const CLAIM = `
  WITH cand AS (
    SELECT d.subscription_id, d.event_seq FROM event_deliveries d
    WHERE d.subscription_id = $1
      AND (d.status = 'pending' OR (d.status = 'retrying' AND d.next_attempt_at <= now())
        OR (d.status = 'delivering' AND d.lease_until < now()))
      AND NOT EXISTS (SELECT 1 FROM event_deliveries p WHERE p.subscription_id = d.subscription_id
        AND p.subject_key = d.subject_key AND p.event_seq < d.event_seq AND p.status <> 'delivered')
    ORDER BY d.event_seq LIMIT $2
    FOR UPDATE OF d SKIP LOCKED
  ), claimed AS (
    UPDATE event_deliveries d SET status = 'delivering', attempts = d.attempts + 1, last_attempt_at = now(),
      lease_until = now() + make_interval(secs => $3::double precision / 1000), next_attempt_at = NULL, updated_at = now()
    FROM cand WHERE d.subscription_id = cand.subscription_id AND d.event_seq = cand.event_seq
    RETURNING d.event_seq, d.attempts, d.attempts - d.attempts_base AS n
  )
  SELECT c.event_seq::text AS seq, c.attempts, c.n, e.id, e.type, e.body, e.case_id, e.subject_hashes
  FROM claimed c JOIN events e ON e.seq = c.event_seq ORDER BY c.event_seq`

export async function claimBatch (db: pg.Pool, subscriptionId: string, limit: number, leaseMs: number): Promise<EventClaim[]> {
  const { rows } = await db.query<{ seq: string, attempts: number, n: number, id: string, type: string, body: string, case_id: string | null, subject_hashes: string[] }>(
    { name: 'events.claim', text: CLAIM, values: [subscriptionId, limit, leaseMs] })
  return rows.map((r) => ({ seq: r.seq, attempts: r.attempts, n: r.n, id: r.id, type: r.type, body: r.body, caseId: r.case_id, subjectHashes: r.subject_hashes }))
}

/** The outcome of one attempt. */
export interface Outcome {
  seq: string
  attempts: number
  status: 'delivered' | 'retrying' | 'failed'
  nextAttemptAt: Date | null
  httpStatus: number | null
  error: string | null
  durationMs: number
}

const FINISH = `
  UPDATE event_deliveries d SET status = x.status, lease_until = NULL, next_attempt_at = x.next_at, last_status = x.http_status,
    last_error = x.error, last_duration_ms = x.duration_ms, updated_at = now(),
    delivered_at = CASE WHEN x.status = 'delivered' THEN now() ELSE d.delivered_at END
  FROM json_to_recordset($2::json) AS x(seq bigint, attempts int, status text, next_at timestamptz, http_status int, error text, duration_ms real)
  WHERE d.subscription_id = $1 AND d.event_seq = x.seq AND d.status = 'delivering' AND d.attempts = x.attempts
  RETURNING d.event_seq::text AS seq`

/**
 * Records the outcomes of a batch in one statement. An outcome whose delivery was taken over meanwhile (its lease
 * ended and another lane claimed it again) is not recorded; the returned set holds the seqs that were.
 */
export async function finishBatch (db: pg.Pool, subscriptionId: string, outcomes: Outcome[]): Promise<Set<string>> {
  if (outcomes.length === 0) return new Set()
  const input = outcomes.map((o) => ({
    seq: o.seq,
    attempts: o.attempts,
    status: o.status,
    next_at: o.nextAttemptAt?.toISOString() ?? null,
    http_status: o.httpStatus,
    error: o.error,
    duration_ms: o.durationMs
  }))
  const { rows } = await db.query<{ seq: string }>({ name: 'events.finish', text: FINISH, values: [subscriptionId, JSON.stringify(input)] })
  return new Set(rows.map((r) => r.seq))
}

/** When the lane has work again by itself: the next retry due, or the end of a lease held now (null: nothing). */
export async function nextDue (db: pg.Pool, subscriptionId: string): Promise<Date | null> {
  const { rows } = await db.query<{ due: Date | null }>({
    name: 'events.next-due',
    text: `SELECT min(CASE WHEN status = 'retrying' THEN next_attempt_at ELSE lease_until END) AS due FROM event_deliveries
      WHERE subscription_id = $1 AND status IN ('retrying', 'delivering')`,
    values: [subscriptionId]
  })
  return rows[0]?.due ?? null
}
