import type pg from 'pg'

/** A step taken by one worker for one attempt (until `lease`), with what its call needs. */
export interface StepClaim {
  caseId: string
  stepId: string
  round: number
  attempt: string
  /** Attempts of this round since the last admin retry, this one included. */
  n: number
  wasInDoubt: boolean
  groupId: string
  groupVersion: number
  filing: Record<string, unknown>
  dossierCode: string
  agencyCode: string
  provinceCode: string
  filedAt: Date
  /** Outputs of the completed steps of the case, by step id. */
  outputs: Record<string, Record<string, unknown>>
}

/**
 * Takes a step for one attempt when it is ready, retrying and due, or running with its holder's lease ended (a
 * worker that died); records the attempt as started and the step as in doubt in the same statement, and an
 * attempt left without outcome by a dead worker as interrupted.
 */
const CLAIM = `
  WITH cur AS (
    SELECT case_id, step_id, in_doubt FROM procedure_steps WHERE case_id = $1 AND step_id = $2 FOR UPDATE
  ), claimed AS (
    UPDATE procedure_steps s SET status = 'running', in_doubt = true, attempts_made = s.attempts_made + 1,
      current_attempt = nextval(pg_get_serial_sequence('procedure_step_attempts', 'id')),
      lease_until = now() + make_interval(secs => $3::double precision / 1000), next_attempt_at = NULL,
      started_at = COALESCE(s.started_at, now()), updated_at = now()
    FROM cur
    WHERE s.case_id = cur.case_id AND s.step_id = cur.step_id
      AND ((s.status IN ('ready', 'retrying') AND (s.next_attempt_at IS NULL OR s.next_attempt_at <= now() + interval '20 milliseconds'))
        OR (s.status = 'running' AND s.lease_until < now()))
    RETURNING s.case_id, s.step_id, s.round, s.current_attempt, s.attempts_made - s.attempts_base AS n, cur.in_doubt AS was_in_doubt
  ), interrupted AS (
    UPDATE procedure_step_attempts a SET outcome = 'interrupted', finished_at = now()
    FROM claimed c WHERE a.case_id = c.case_id AND a.step_id = c.step_id AND a.outcome IS NULL
  ), att AS (
    INSERT INTO procedure_step_attempts (id, case_id, step_id, round, n) SELECT current_attempt, case_id, step_id, round, n FROM claimed
  )
  SELECT c.*, pc.group_id, pc.group_version, pc.filing, pc.dossier_code, pc.agency_code, pc.province_code, pc.filed_at,
    (SELECT COALESCE(jsonb_object_agg(d.step_id, d.outputs), '{}') FROM procedure_steps d WHERE d.case_id = c.case_id AND d.status = 'completed') AS outputs
  FROM claimed c JOIN procedure_cases pc ON pc.id = c.case_id`

export async function claimStep (db: pg.Pool, caseId: string, stepId: string, leaseMs: number): Promise<StepClaim | undefined> {
  const { rows } = await db.query({ name: 'procedures.claim', text: CLAIM, values: [caseId, stepId, leaseMs] })
  const r = rows[0]
  if (r === undefined) return undefined
  return {
    caseId: r.case_id,
    stepId: r.step_id,
    round: r.round,
    attempt: String(r.current_attempt),
    n: r.n,
    wasInDoubt: r.was_in_doubt,
    groupId: r.group_id,
    groupVersion: r.group_version,
    filing: r.filing,
    dossierCode: r.dossier_code,
    agencyCode: r.agency_code,
    provinceCode: r.province_code,
    filedAt: r.filed_at,
    outputs: r.outputs
  }
}

export type Unclaimed = { why: 'gone' | 'not-runnable' } | { why: 'wait', ms: number }

/** Why a step could not be taken: gone, nothing to do (done, waiting for its inputs or a supplement), or later. */
export async function whyUnclaimed (db: pg.Pool, caseId: string, stepId: string): Promise<Unclaimed> {
  const { rows } = await db.query<{ status: string, lease_ms: number | null, next_ms: number | null }>(`
    SELECT status, EXTRACT(EPOCH FROM (lease_until - now())) * 1000 AS lease_ms, EXTRACT(EPOCH FROM (next_attempt_at - now())) * 1000 AS next_ms
    FROM procedure_steps WHERE case_id = $1 AND step_id = $2`, [caseId, stepId])
  const r = rows[0]
  if (r === undefined) return { why: 'gone' }
  if (r.status === 'running') return { why: 'wait', ms: Math.max(0, Number(r.lease_ms ?? 0)) + 100 }
  if (r.status === 'retrying') return { why: 'wait', ms: Math.max(0, Number(r.next_ms ?? 0)) + 20 }
  return { why: 'not-runnable' }
}

/** Records the outcome of an attempt (whatever happened to the step). */
export async function finishAttempt (db: pg.Pool | pg.PoolClient, attempt: string, outcome: string, r: { durationMs: number, upstreamStatus?: number, error?: string }): Promise<void> {
  await db.query({
    name: 'procedures.attempt',
    text: 'UPDATE procedure_step_attempts SET outcome = $2, finished_at = now(), duration_ms = $3, upstream_status = $4, error = $5 WHERE id = $1',
    values: [attempt, outcome, r.durationMs, r.upstreamStatus ?? null, r.error ?? null]
  })
}

/** The attempt failed and will be retried at `next` (unless another worker took the step over meanwhile). */
export async function scheduleRetry (db: pg.Pool, c: StepClaim, next: Date, inDoubt: boolean, error: string): Promise<boolean> {
  const { rows } = await db.query({
    name: 'procedures.retry',
    text: `UPDATE procedure_steps SET status = 'retrying', next_attempt_at = $4, in_doubt = $5, last_error = $6, lease_until = NULL, updated_at = now()
      WHERE case_id = $1 AND step_id = $2 AND status = 'running' AND current_attempt = $3 RETURNING 1`,
    values: [c.caseId, c.stepId, c.attempt, next, inDoubt, error]
  })
  return rows.length > 0
}
