import type { Queue } from 'bullmq'
import type pg from 'pg'
import { requeueDelivery, type DeliveryJob } from './jobs.js'
import { filterSql, type DeliveryFilter } from './views.js'

interface Row { id: string, dossier_code: string, service: DeliveryJob['service'], traceparent: string | null }

/**
 * Replays failed deliveries (dead letters): back to `queued` with a fresh attempt budget (the attempts already
 * made stay in the history), then their jobs are replaced. The doubt flag is kept, so a replay after a doubtful
 * last attempt still asks the portal first. Returns the replayed ids; the jobs are the reconciler's to
 * restore should Redis fail here.
 */
export async function replayFailed (db: pg.Pool, queue: Queue<DeliveryJob>, filter: DeliveryFilter & { id?: string }): Promise<{ ids: string[], queued: boolean }> {
  const { where, params } = filterSql({ ...filter, status: 'failed' }, filter.id !== undefined ? 2 : 1)
  const byId = filter.id !== undefined ? `${where} AND d.id = $1` : where
  const { rows } = await db.query<Row>(`
    UPDATE deliveries d SET status = 'queued', attempts_base = d.attempts_made, next_attempt_at = NULL, updated_at = now()
    ${byId}
    RETURNING d.id, d.dossier_code, d.service, d.traceparent`, filter.id !== undefined ? [filter.id, ...params] : params)
  let queued = true
  for (const r of rows) {
    try {
      await requeueDelivery(queue, { deliveryId: r.id, dossierCode: r.dossier_code, service: r.service, traceparent: r.traceparent ?? undefined })
    } catch {
      queued = false
    }
  }
  return { ids: rows.map((r) => r.id), queued }
}

/** The status of one delivery, whoever's it is (admin checks), or undefined. */
export async function statusOf (db: pg.Pool, id: string): Promise<{ status: string, dossierCode: string } | undefined> {
  const { rows } = await db.query<{ status: string, dossier_code: string }>('SELECT status, dossier_code FROM deliveries WHERE id = $1', [id])
  return rows[0] !== undefined ? { status: rows[0].status, dossierCode: rows[0].dossier_code } : undefined
}

export interface CancelledDelivery {
  id: string
  dossierCode: string
  status: 'cancelled'
  cancelledAt: string
  cancelledBy: string
  reason: string
  /** The next delivery of the dossier, woken up now that this one no longer holds it back. */
  released?: string
}

/**
 * Cancels a failed delivery (a dead letter): it will never be delivered, and the later deliveries of its dossier
 * are no longer held back by it (the next one is woken up at once). Undefined when the delivery is not failed
 * (any more). The next job is the reconciler's to restore should Redis fail here.
 */
export async function cancelFailed (db: pg.Pool, queue: Queue<DeliveryJob>, id: string, by: string, reason: string): Promise<CancelledDelivery | undefined> {
  const { rows } = await db.query<{ id: string, dossier_code: string, cancelled_at: Date, next_id: string | null, next_service: DeliveryJob['service'] | null, next_traceparent: string | null }>(`
    WITH c AS (
      UPDATE deliveries SET status = 'cancelled', cancelled_at = now(), cancelled_by = $2, cancel_reason = $3,
        next_attempt_at = NULL, lease_until = NULL, updated_at = now()
      WHERE id = $1 AND status = 'failed'
      RETURNING id, dossier_code, seq, cancelled_at
    )
    SELECT c.id, c.dossier_code, c.cancelled_at, n.id AS next_id, n.service AS next_service, n.traceparent AS next_traceparent
    FROM c LEFT JOIN LATERAL (
      SELECT id, service, traceparent FROM deliveries n
      WHERE n.dossier_code = c.dossier_code AND n.seq > c.seq AND n.status IN ('queued', 'retrying') ORDER BY n.seq LIMIT 1
    ) n ON true`, [id, by, reason])
  const r = rows[0]
  if (r === undefined) return undefined
  if (r.next_id !== null && r.next_service !== null) {
    await requeueDelivery(queue, { deliveryId: r.next_id, dossierCode: r.dossier_code, service: r.next_service, traceparent: r.next_traceparent ?? undefined })
      .catch(() => {})
  }
  return {
    id: r.id,
    dossierCode: r.dossier_code,
    status: 'cancelled',
    cancelledAt: r.cancelled_at.toISOString(),
    cancelledBy: by,
    reason,
    ...(r.next_id !== null ? { released: r.next_id } : {})
  }
}
