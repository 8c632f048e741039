import type pg from 'pg'
import { withTransaction } from '../../db/pool.js'

/** Arbitrary, fixed key of the advisory lock that lets one gateway instance sweep at a time. */
const SWEEP_LOCK = 727_022

export interface SweepResult { woken: string[], receiptsPurged: number }

/**
 * The lanes' reconciler. PostgreSQL is the truth and a lane job only a wake-up call, which Redis may lose (flushed,
 * restarted empty) or a crash may never add (between the ingestion's commit and the add). Every run finds the
 * webhook subscriptions with work nobody took for `graceMs` — waiting deliveries, retries overdue, claims whose
 * lease ended (their lane died) — and returns them to be woken. It also forgets push message ids older than the
 * replay window (a message that old is refused for its timestamp anyway).
 */
export async function sweepOnce (db: pg.Pool, graceMs: number, receiptTtlS: number): Promise<SweepResult> {
  return await withTransaction(db, 'BEGIN', async (conn) => {
    const { rows: lock } = await conn.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [SWEEP_LOCK])
    if (!lock[0].ok) return { woken: [], receiptsPurged: 0 }
    const { rows } = await conn.query<{ id: string }>(`
      SELECT s.id FROM event_subscriptions s
      WHERE s.enabled AND s.callback_url IS NOT NULL AND EXISTS (
        SELECT 1 FROM event_deliveries d WHERE d.subscription_id = s.id AND (
          (d.status = 'pending' AND d.updated_at < now() - make_interval(secs => $1::double precision / 1000)
            AND NOT EXISTS (SELECT 1 FROM event_deliveries p WHERE p.subscription_id = d.subscription_id
              AND p.subject_key = d.subject_key AND p.event_seq < d.event_seq AND p.status <> 'delivered'))
          OR (d.status = 'retrying' AND d.next_attempt_at < now() - make_interval(secs => $1::double precision / 1000))
          OR (d.status = 'delivering' AND d.lease_until < now())))`, [graceMs])
    const purged = await conn.query('DELETE FROM event_push_receipts WHERE received_at < now() - make_interval(secs => $1)', [receiptTtlS])
    return { woken: rows.map((r) => r.id), receiptsPurged: purged.rowCount ?? 0 }
  })
}
