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
