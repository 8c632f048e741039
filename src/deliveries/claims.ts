import type pg from 'pg'
import type { DeliveryService } from './accept.js'

/** A delivery taken by one worker for one attempt (the lease ends at `lease`). */
export interface Claim {
  id: string
  service: DeliveryService
  dossierCode: string
  seq: number
  payload: Record<string, unknown>
  attempt: string
  /** Attempts made, this one included, since the last replay by an admin. */
  n: number
  traceparent: string | null
  /** A previous attempt may have reached the portal: check before sending again. */
  wasInDoubt: boolean
  /** The portal already holds the dossier (a sync of it was delivered). */
  onPortal: boolean
}

/**
 * Takes the delivery for one attempt when it is waiting (or its holder's lease ended) and every earlier delivery
 * of its dossier is delivered; records the attempt as started (outcome NULL) and the delivery as in doubt, in
 * the same statement. An attempt left without outcome by a worker that died becomes `interrupted`.
 */
const CLAIM = `
  WITH cur AS (
    SELECT id, in_doubt FROM deliveries WHERE id = $1 FOR UPDATE
  ), claimed AS (
    UPDATE deliveries d SET status = 'delivering', in_doubt = true, attempts_made = d.attempts_made + 1,
      current_attempt = nextval(pg_get_serial_sequence('delivery_attempts', 'id')),
      lease_until = now() + make_interval(secs => $2::double precision / 1000), next_attempt_at = NULL, updated_at = now()
    FROM cur
    WHERE d.id = cur.id
      AND (d.status IN ('queued', 'retrying') OR (d.status = 'delivering' AND d.lease_until < now()))
      AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.dossier_code = d.dossier_code AND p.seq < d.seq AND p.status <> 'delivered')
    RETURNING d.id, d.service, d.dossier_code, d.seq, d.payload, d.current_attempt, d.attempts_made - d.attempts_base AS n,
      d.traceparent, cur.in_doubt AS was_in_doubt
  ), interrupted AS (
    UPDATE delivery_attempts SET outcome = 'interrupted', finished_at = now()
    WHERE delivery_id IN (SELECT id FROM claimed) AND outcome IS NULL
  ), att AS (
    INSERT INTO delivery_attempts (id, delivery_id, n) SELECT current_attempt, id, n FROM claimed
  )
  SELECT c.*, x.on_portal FROM claimed c JOIN dossiers x ON x.code = c.dossier_code`

export async function claimDelivery (db: pg.Pool, id: string, leaseMs: number): Promise<Claim | undefined> {
  const { rows } = await db.query({ name: 'deliveries.claim', text: CLAIM, values: [id, leaseMs] })
  const r = rows[0]
  if (r === undefined) return undefined
  return {
    id: r.id,
    service: r.service,
    dossierCode: r.dossier_code,
    seq: r.seq,
    payload: r.payload,
    attempt: String(r.current_attempt),
    n: r.n,
    traceparent: r.traceparent,
    wasInDoubt: r.was_in_doubt,
    onPortal: r.on_portal
  }
}

export type Unclaimed =
  | { why: 'gone' | 'finished' }
  | { why: 'blocked', byFailed: boolean, blockerNextMs?: number }
  | { why: 'leased', remainingMs: number }

/** Why a delivery could not be taken: gone, already finished, waiting for an earlier one, or held by a worker. */
export async function whyUnclaimed (db: pg.Pool, id: string): Promise<Unclaimed> {
  const { rows } = await db.query({
    name: 'deliveries.unclaimed',
    text: `
    SELECT d.status, GREATEST(0, EXTRACT(EPOCH FROM (d.lease_until - now())) * 1000)::float8 AS remaining_ms, b.status AS blocked_by,
      GREATEST(0, EXTRACT(EPOCH FROM (b.next_attempt_at - now())) * 1000)::float8 AS blocker_next_ms
    FROM deliveries d
    LEFT JOIN LATERAL (SELECT p.status, p.next_attempt_at FROM deliveries p
      WHERE p.dossier_code = d.dossier_code AND p.seq < d.seq AND p.status <> 'delivered' ORDER BY p.seq LIMIT 1) b ON true
    WHERE d.id = $1`,
    values: [id]
  })
  const r = rows[0]
  if (r === undefined) return { why: 'gone' }
  if (r.status === 'delivered' || r.status === 'failed') return { why: 'finished' }
  if (r.blocked_by !== null) {
    return { why: 'blocked', byFailed: r.blocked_by === 'failed', blockerNextMs: r.blocker_next_ms !== null ? Number(r.blocker_next_ms) : undefined }
  }
  return { why: 'leased', remainingMs: Number(r.remaining_ms ?? 0) }
}

export interface AttemptResult {
  durationMs: number
  upstreamStatus?: number
  upstreamCode?: string
  error?: string
}

/**
 * Marks the delivery delivered and its attempt finished, in one statement (the "applied" marker: a later run of
 * the same job finds it delivered and does nothing). Returns false when another worker took the delivery over;
 * otherwise the id of the next delivery of the dossier, if one is waiting.
 */
export async function finishDelivered (db: pg.Pool, c: Claim, applied: 'sent' | 'already', r: AttemptResult): Promise<{ ok: boolean, nextId?: string }> {
  const { rows } = await db.query({ name: 'deliveries.delivered', text: FINISH_DELIVERED, values: [c.id, c.attempt, applied, applied === 'sent' ? 'delivered' : 'already-applied', r.durationMs, r.upstreamStatus ?? null, r.upstreamCode ?? null] })
  if (rows.length === 0) return { ok: false }
  return { ok: true, nextId: rows[0].next_id ?? undefined }
}

const FINISH_DELIVERED = `
    WITH fin AS (
      UPDATE deliveries SET status = 'delivered', in_doubt = false, delivered_at = now(), applied = $3,
        lease_until = NULL, next_attempt_at = NULL, last_error = NULL, updated_at = now()
      WHERE id = $1 AND current_attempt = $2 AND status = 'delivering'
      RETURNING id, dossier_code, seq, service
    ), att AS (
      UPDATE delivery_attempts SET outcome = $4, finished_at = now(), duration_ms = $5, upstream_status = $6, upstream_code = $7
      WHERE id = $2 AND EXISTS (SELECT 1 FROM fin)
    ), dos AS (
      UPDATE dossiers SET on_portal = true FROM fin WHERE dossiers.code = fin.dossier_code AND fin.service = 'dossier.sync'
    )
    SELECT (SELECT n.id FROM deliveries n WHERE n.dossier_code = fin.dossier_code AND n.seq = fin.seq + 1
      AND n.status IN ('queued', 'retrying')) AS next_id FROM fin`

/** Records a failed attempt: the delivery is `retrying` (with its next attempt time) or `failed`. */
export async function finishFailed (
  db: pg.Pool, c: Claim, status: 'retrying' | 'failed', inDoubt: boolean, nextAttemptAt: Date | null, r: AttemptResult
): Promise<boolean> {
  const { rows } = await db.query({ name: 'deliveries.failed', text: FINISH_FAILED, values: [c.id, c.attempt, status, inDoubt, nextAttemptAt, r.error ?? null, status === 'failed' ? 'failed' : 'retry', r.durationMs, r.upstreamStatus ?? null, r.upstreamCode ?? null] })
  return rows.length > 0
}

const FINISH_FAILED = `
    WITH fin AS (
      UPDATE deliveries SET status = $3, in_doubt = $4, lease_until = NULL, next_attempt_at = $5, last_error = $6, updated_at = now()
      WHERE id = $1 AND current_attempt = $2 AND status = 'delivering'
      RETURNING id
    )
    UPDATE delivery_attempts SET outcome = $7, finished_at = now(), duration_ms = $8, upstream_status = $9, upstream_code = $10, error = $6
    WHERE id = $2 AND EXISTS (SELECT 1 FROM fin) RETURNING id`
