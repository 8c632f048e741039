import type { Redis } from 'ioredis'
import type pg from 'pg'
import { startPeriodic } from '../lib/periodic.js'
import type { ProcedureEngine } from './engine.js'
import { requeueStep, stepJobId } from './jobs.js'

/** Arbitrary, fixed key of the advisory lock that lets one gateway instance sweep at a time. */
const SWEEP_LOCK = 727_018
const PAGE = 500
const LIVE = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children'])

export interface SweepResult { requeued: number, overdue: number, expired: number }

/**
 * What no job does by itself: re-queues steps that should run (ready, retrying, running past its lease), untouched
 * for `graceMs`, whose job is missing or finished while the step is still as it was read; fails supplement waits past their deadline; flags steps (and their cases) past their
 * deadline in working days as overdue. `now` is for tests of deadlines.
 */
export async function sweepOnce (engine: ProcedureEngine, graceMs: number, now = new Date()): Promise<SweepResult> {
  const app = engine.app
  const result: SweepResult = { requeued: 0, overdue: 0, expired: 0 }
  const conn = await app.db.connect()
  let locked = false
  try {
    locked = (await conn.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [SWEEP_LOCK])).rows[0].ok
    if (!locked) return result
    const flagged = await conn.query<{ case_id: string }>(`
      UPDATE procedure_steps SET overdue = true, updated_at = now()
      WHERE NOT overdue AND deadline_at < $1 AND status IN ('pending', 'ready', 'running', 'retrying')
      RETURNING case_id`, [now])
    result.overdue = flagged.rows.length
    if (flagged.rows.length > 0) {
      await conn.query('UPDATE procedure_cases SET overdue = true, updated_at = now() WHERE id = ANY($1::uuid[]) AND NOT overdue', [[...new Set(flagged.rows.map((r) => r.case_id))]])
    }
    const expired = await conn.query<{ case_id: string, step_id: string }>(
      "SELECT case_id, step_id FROM procedure_steps WHERE status = 'awaiting-supplement' AND next_attempt_at < $1 LIMIT $2", [now, PAGE])
    const redis = await engine.queue.client as unknown as Redis
    let after = { c: '00000000-0000-0000-0000-000000000000', s: '' }
    for (;;) {
      const { rows } = await conn.query<{ case_id: string, step_id: string, status: string, updated_at: string, traceparent: string | null }>(`
        SELECT s.case_id, s.step_id, s.status, s.updated_at::text AS updated_at, c.traceparent
        FROM procedure_steps s JOIN procedure_cases c ON c.id = s.case_id
        WHERE s.status IN ('ready', 'running', 'retrying') AND s.updated_at < now() - make_interval(secs => $1::double precision / 1000)
          AND (s.status <> 'running' OR s.lease_until < now()) AND (s.case_id, s.step_id) > ($2::uuid, $3)
        ORDER BY s.case_id, s.step_id LIMIT ${PAGE}`, [graceMs, after.c, after.s])
      for (const r of rows) {
        const jobId = stepJobId(r.case_id, r.step_id)
        const state = await engine.queue.getJobState(jobId)
        if (LIVE.has(state)) continue
        // The rows were read before the jobs were looked at, one by one: meanwhile a queued step may have run to
        // its end (its job removed on completion). A job is missing only if its step is still as it was read; a
        // worker records a step's transition before its job finishes, so a step that moved on is not one.
        if (!await unchanged(conn, r)) continue
        if (state === 'unknown') await redis.del(engine.queue.toKey(jobId)) // a job hash left in no list would block the new job
        await requeueStep(engine.queue, { caseId: r.case_id, stepId: r.step_id, traceparent: r.traceparent ?? undefined })
        result.requeued++
      }
      if (rows.length < PAGE) break
      after = { c: rows[rows.length - 1].case_id, s: rows[rows.length - 1].step_id }
    }
    for (const r of expired.rows) {
      await engine.transact(r.case_id, async (lc) => {
        if (lc.step(r.step_id).status !== 'awaiting-supplement') return
        await engine.fail(lc, r.step_id, 'supplement-expired', 'no supplement arrived in time')
      })
      result.expired++
    }
  } finally {
    if (locked) await conn.query('SELECT pg_advisory_unlock($1)', [SWEEP_LOCK]).catch(() => {})
    conn.release()
  }
  if (result.requeued > 0) app.log.warn(result, 'procedure sweeper re-queued steps whose job was missing')
  return result
}

/** Whether a step is still in the status it was read in, not touched since (every transition sets `updated_at`). */
async function unchanged (conn: pg.PoolClient, r: { case_id: string, step_id: string, status: string, updated_at: string }): Promise<boolean> {
  const { rows } = await conn.query(
    'SELECT 1 FROM procedure_steps WHERE case_id = $1 AND step_id = $2 AND status = $3 AND updated_at = $4::timestamptz',
    [r.case_id, r.step_id, r.status, r.updated_at])
  return rows.length > 0
}

/** Runs the sweeper now and then every `intervalMs`; returns the function that stops it. */
export function startSweeper (engine: ProcedureEngine, intervalMs: number, graceMs: number): () => Promise<void> {
  return startPeriodic(engine.app.log, 'procedure sweeper run', async () => await sweepOnce(engine, graceMs), intervalMs)
}
