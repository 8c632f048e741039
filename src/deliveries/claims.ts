import type pg from 'pg'
import type { DeliveryService } from './accept.js'

/** A delivery taken by one worker for one attempt (the lease ends at `lease`). */
export interface Claim {
  id: string
  /** The client that submitted the delivery (its events in the audit trail name it). */
  clientId: string
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

/** The claim proper, after a CTE `cur` (the rows locked) naming how the lease is computed. */
const claimed = (leaseSeconds: string): string => `claimed AS (
    UPDATE deliveries d SET status = 'delivering', in_doubt = true, attempts_made = d.attempts_made + 1,
      current_attempt = nextval(pg_get_serial_sequence('delivery_attempts', 'id')),
      lease_until = now() + make_interval(secs => ${leaseSeconds}), next_attempt_at = NULL, updated_at = now()
    FROM cur
    WHERE d.id = cur.id
      AND (d.status IN ('queued', 'retrying') OR (d.status = 'delivering' AND d.lease_until < now()))
      AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.dossier_code = d.dossier_code AND p.seq < d.seq AND p.status NOT IN ('delivered', 'cancelled'))
    RETURNING d.id, d.client_id, d.service, d.dossier_code, d.seq, d.payload, d.current_attempt, d.attempts_made - d.attempts_base AS n,
      d.traceparent, cur.in_doubt AS was_in_doubt
  ), interrupted AS (
    UPDATE delivery_attempts SET outcome = 'interrupted', finished_at = now()
    WHERE delivery_id IN (SELECT id FROM claimed) AND outcome IS NULL
  ), att AS (
    INSERT INTO delivery_attempts (id, delivery_id, n) SELECT current_attempt, id, n FROM claimed
  )
  SELECT c.*, x.on_portal FROM claimed c JOIN dossiers x ON x.code = c.dossier_code`

/**
 * Takes the delivery for one attempt when it is waiting (or its holder's lease ended) and every earlier delivery
 * of its dossier is delivered (or cancelled by an admin); records the attempt as started (outcome NULL) and the delivery as in doubt, in
 * the same statement. An attempt left without outcome by a worker that died becomes `interrupted`.
 */
const CLAIM = `
  WITH cur AS (
    SELECT id, in_doubt FROM deliveries WHERE id = $1 FOR UPDATE
  ), ${claimed('$2::double precision / 1000')}`

/** CLAIM for several deliveries in one statement (distinct ids; their rows are locked in id order). */
const CLAIM_GROUP = `
  WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::float8[]) AS t(id, lease_ms)
  ), cur AS (
    SELECT d.id, d.in_doubt, input.lease_ms FROM deliveries d JOIN input ON input.id = d.id ORDER BY d.id FOR UPDATE OF d
  ), ${claimed('cur.lease_ms / 1000')}`

export interface ClaimRequest { id: string, leaseMs: number }

/**
 * `claimDelivery` for several deliveries at once (one round trip, one commit); the ids must be distinct. Each
 * delivery is claimed exactly as alone: the order check sees the state before the statement, so of two
 * deliveries of one dossier in the same group the later one stays unclaimed (blocked) like it would alone.
 */
export async function claimDeliveries (db: pg.Pool, reqs: ClaimRequest[]): Promise<Array<Claim | undefined>> {
  const { rows } = await db.query<ClaimRow>({ name: 'deliveries.claim.group', text: CLAIM_GROUP, values: [reqs.map((r) => r.id), reqs.map((r) => r.leaseMs)] })
  const byId = new Map<string, Claim>(rows.map((r) => [r.id, toClaim(r)]))
  return reqs.map((r) => byId.get(r.id))
}

export async function claimDelivery (db: pg.Pool, id: string, leaseMs: number): Promise<Claim | undefined> {
  const { rows } = await db.query<ClaimRow>({ name: 'deliveries.claim', text: CLAIM, values: [id, leaseMs] })
  const r = rows[0]
  if (r === undefined) return undefined
  return toClaim(r)
}

interface ClaimRow {
  id: string
  client_id: string
  service: DeliveryService
  dossier_code: string
  seq: number
  payload: Record<string, unknown>
  current_attempt: string
  n: number
  traceparent: string | null
  was_in_doubt: boolean
  on_portal: boolean
}

function toClaim (r: ClaimRow): Claim {
  return {
    id: r.id,
    clientId: r.client_id,
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
      WHERE p.dossier_code = d.dossier_code AND p.seq < d.seq AND p.status NOT IN ('delivered', 'cancelled') ORDER BY p.seq LIMIT 1) b ON true
    WHERE d.id = $1`,
    values: [id]
  })
  const r = rows[0]
  if (r === undefined) return { why: 'gone' }
  if (r.status === 'delivered' || r.status === 'failed' || r.status === 'cancelled') return { why: 'finished' }
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

export interface Delivered { claim: Claim, applied: 'sent' | 'already', result: AttemptResult }

/** `finishDelivered` for several deliveries at once (one round trip, one commit); the ids must be distinct. */
export async function finishDeliveredMany (db: pg.Pool, items: Delivered[]): Promise<Array<{ ok: boolean, nextId?: string }>> {
  const input = items.map(({ claim, applied, result }) => ({
    id: claim.id,
    attempt: claim.attempt,
    applied,
    outcome: applied === 'sent' ? 'delivered' : 'already-applied',
    duration_ms: result.durationMs,
    upstream_status: result.upstreamStatus ?? null,
    upstream_code: result.upstreamCode ?? null
  }))
  const { rows } = await db.query<{ id: string, next_id: string | null }>({ name: 'deliveries.delivered.group', text: FINISH_DELIVERED_GROUP, values: [JSON.stringify(input)] })
  const byId = new Map(rows.map((r) => [r.id, r.next_id]))
  return items.map(({ claim }) => {
    if (!byId.has(claim.id)) return { ok: false }
    const nextId = byId.get(claim.id)
    return nextId !== null && nextId !== undefined ? { ok: true, nextId } : { ok: true }
  })
}

const FINISH_DELIVERED_GROUP = `
    WITH input AS (
      SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(id uuid, attempt bigint, applied text, outcome text, duration_ms real,
        upstream_status int, upstream_code text)
    ), fin AS (
      UPDATE deliveries d SET status = 'delivered', in_doubt = false, delivered_at = now(), applied = i.applied,
        lease_until = NULL, next_attempt_at = NULL, last_error = NULL, updated_at = now()
      FROM input i
      WHERE d.id = i.id AND d.current_attempt = i.attempt AND d.status = 'delivering'
      RETURNING d.id, d.dossier_code, d.seq, d.service
    ), att AS (
      UPDATE delivery_attempts a SET outcome = i.outcome, finished_at = now(), duration_ms = i.duration_ms,
        upstream_status = i.upstream_status, upstream_code = i.upstream_code
      FROM input i JOIN fin ON fin.id = i.id
      WHERE a.id = i.attempt
    ), dos AS (
      UPDATE dossiers SET on_portal = true FROM fin
      WHERE dossiers.code = fin.dossier_code AND fin.service = 'dossier.sync' AND NOT dossiers.on_portal
    )
    SELECT fin.id, (SELECT n.id FROM deliveries n WHERE n.dossier_code = fin.dossier_code AND n.seq = fin.seq + 1
      AND n.status IN ('queued', 'retrying')) AS next_id FROM fin`

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
