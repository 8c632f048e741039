import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import type { Portal } from '../../src/simulators/index.js'
import type { DeliveryRecord } from './load.js'

export interface DeliveryCheck {
  sent: { dossiers: number, steps: number }
  accepted: { dossiers: number, steps: number }
  unconfirmed: number
  refused: Record<string, number>
  /** The gateway's own records of the accepted deliveries, by status, once drained. */
  inDatabase: Record<string, number>
  /** What the portal simulator applied, of the accepted deliveries. */
  delivered: { dossiers: number, steps: number }
  lost: string[]
  doubled: string[]
  portalDuplicates: number
  /** Deliveries sent without a confirmation that the portal applied anyway (harmless: the caller retries with the same key). */
  unconfirmedDelivered: number
  drainSeconds: number
}

async function statuses (db: pg.Pool, ids: string[]): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string, n: number }>('SELECT status, count(*)::int AS n FROM deliveries WHERE id = ANY($1::uuid[]) GROUP BY status', [ids])
  return Object.fromEntries(rows.map((r) => [r.status, r.n]))
}

/**
 * Waits until every accepted delivery is delivered (or `timeoutMs` passes), then compares what the callers were
 * told with what the portal applied: an accepted dossier or step the portal never applied is lost; one applied twice
 * is doubled.
 */
export async function checkDeliveries (databaseUrl: string, portal: Portal, records: DeliveryRecord[], timeoutMs: number): Promise<DeliveryCheck> {
  const accepted = records.filter((r) => r.outcome === 'accepted')
  const ids = accepted.map((r) => r.deliveryId as string)
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 })
  const started = Date.now()
  let inDatabase: Record<string, number> = {}
  try {
    for (;;) {
      inDatabase = await statuses(db, ids).catch(() => ({}))
      if ((inDatabase.delivered ?? 0) + (inDatabase.failed ?? 0) >= ids.length || Date.now() - started > timeoutMs) break
      await sleep(1000)
    }
  } finally {
    await db.end()
  }
  const lost: string[] = []
  const doubled: string[] = []
  let delivered = { dossiers: 0, steps: 0 }
  for (const r of accepted) {
    const n = r.kind === 'dossier' ? portal.countApplied(r.code) : portal.countProgress(r.code)
    if (n === 0) lost.push(`${r.kind} ${r.code}`)
    if (n > 1) doubled.push(`${r.kind} ${r.code} ×${n}`)
    if (n > 0) delivered = r.kind === 'dossier' ? { ...delivered, dossiers: delivered.dossiers + 1 } : { ...delivered, steps: delivered.steps + 1 }
  }
  const refused: Record<string, number> = {}
  for (const r of records.filter((x) => x.outcome === 'refused')) refused[`${r.kind} ${r.last ?? ''}`] = (refused[`${r.kind} ${r.last ?? ''}`] ?? 0) + 1
  const unconfirmed = records.filter((r) => r.outcome === 'unconfirmed')
  return {
    sent: { dossiers: records.filter((r) => r.kind === 'dossier').length, steps: records.filter((r) => r.kind === 'step').length },
    accepted: { dossiers: accepted.filter((r) => r.kind === 'dossier').length, steps: accepted.filter((r) => r.kind === 'step').length },
    unconfirmed: unconfirmed.length,
    refused,
    inDatabase,
    delivered,
    lost,
    doubled,
    portalDuplicates: portal.duplicates().length,
    unconfirmedDelivered: unconfirmed.filter((r) => (r.kind === 'dossier' ? portal.countApplied(r.code) : portal.countProgress(r.code)) > 0).length,
    drainSeconds: Math.round((Date.now() - started) / 1000)
  }
}
