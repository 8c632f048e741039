import type pg from 'pg'

export const OPEN_STATUSES = ['queued', 'delivering', 'retrying', 'failed'] as const
export type OpenStatus = typeof OPEN_STATUSES[number]

/** Deliveries not yet done, by status (`retrying` = being retried, `failed` = dead letters). */
export async function openDeliveryCounts (db: pg.Pool): Promise<Record<OpenStatus, number>> {
  const { rows } = await db.query<{ status: string, n: number }>(
    "SELECT status, count(*)::int AS n FROM deliveries WHERE status IN ('queued', 'delivering', 'retrying', 'failed') GROUP BY status")
  const out = { queued: 0, delivering: 0, retrying: 0, failed: 0 }
  for (const s of OPEN_STATUSES) out[s] = rows.find((x) => x.status === s)?.n ?? 0
  return out
}
