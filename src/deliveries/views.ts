import type pg from 'pg'
import type { DeliveryService, DeliveryStatus } from './accept.js'

export interface AttemptView { at: string, outcome: string, upstreamStatus?: number, upstreamCode?: string, error?: string, durationMs: number }

/** A delivery as the API shows it (schemas/delivery.json). */
export interface DeliveryView {
  id: string
  service: DeliveryService
  dossierCode: string
  status: DeliveryStatus
  attempts: AttemptView[]
  nextAttemptAt?: string
  deliveredAt?: string
  createdAt: string
  clientId?: string
  seq?: number
  lastError?: string
  cancelledAt?: string
  cancelledBy?: string
  cancelReason?: string
}

interface Row {
  id: string
  client_id: string
  service: DeliveryService
  dossier_code: string
  seq: number
  status: DeliveryStatus
  next_attempt_at: Date | null
  delivered_at: Date | null
  created_at: Date
  last_error: string | null
  cancelled_at: Date | null
  cancelled_by: string | null
  cancel_reason: string | null
  attempts: Array<{ at: string, outcome: string | null, upstream_status: number | null, upstream_code: string | null, error: string | null, duration_ms: number | null }>
}

const SELECT = `
  SELECT d.id, d.client_id, d.service, d.dossier_code, d.seq, d.status, d.next_attempt_at, d.delivered_at, d.created_at, d.last_error,
    d.cancelled_at, d.cancelled_by, d.cancel_reason,
    COALESCE((SELECT json_agg(json_build_object('at', a.started_at, 'outcome', a.outcome, 'upstream_status', a.upstream_status,
      'upstream_code', a.upstream_code, 'error', a.error, 'duration_ms', a.duration_ms) ORDER BY a.id)
      FROM delivery_attempts a WHERE a.delivery_id = d.id), '[]') AS attempts
  FROM deliveries d`

function toView (r: Row, admin: boolean): DeliveryView {
  const view: DeliveryView = {
    id: r.id,
    service: r.service,
    dossierCode: r.dossier_code,
    status: r.status,
    attempts: r.attempts.map((a) => ({
      at: new Date(a.at).toISOString(),
      outcome: a.outcome ?? 'in-flight',
      ...(a.upstream_status !== null ? { upstreamStatus: a.upstream_status } : {}),
      ...(a.upstream_code !== null ? { upstreamCode: a.upstream_code } : {}),
      ...(a.error !== null ? { error: a.error } : {}),
      durationMs: a.duration_ms ?? 0
    })),
    createdAt: r.created_at.toISOString()
  }
  if (r.next_attempt_at !== null && r.status === 'retrying') view.nextAttemptAt = r.next_attempt_at.toISOString()
  if (r.delivered_at !== null) view.deliveredAt = r.delivered_at.toISOString()
  if (admin) {
    Object.assign(view, { clientId: r.client_id, seq: r.seq, ...(r.last_error !== null ? { lastError: r.last_error } : {}) })
    if (r.cancelled_at !== null) Object.assign(view, { cancelledAt: r.cancelled_at.toISOString(), cancelledBy: r.cancelled_by, cancelReason: r.cancel_reason })
  }
  return view
}

/** One delivery of one client (undefined when it is unknown or someone else's). */
export async function deliveryOf (db: pg.Pool, clientId: string, id: string): Promise<DeliveryView | undefined> {
  const { rows } = await db.query<Row>(`${SELECT} WHERE d.id = $1 AND d.client_id = $2`, [id, clientId])
  return rows[0] !== undefined ? toView(rows[0], false) : undefined
}

/** Every delivery of one dossier of one client, in accepted order. */
export async function deliveriesOfDossier (db: pg.Pool, clientId: string, code: string): Promise<DeliveryView[]> {
  const { rows } = await db.query<Row>(`${SELECT} WHERE d.dossier_code = $1 AND d.client_id = $2 ORDER BY d.seq`, [code, clientId])
  return rows.map((r) => toView(r, false))
}

export interface DeliveryFilter { status?: DeliveryStatus, service?: DeliveryService, from?: string, to?: string, dossierCode?: string }

/** WHERE clause and parameters of an admin filter (created_at within [from, to)). */
export function filterSql (f: DeliveryFilter, first = 1): { where: string, params: unknown[] } {
  const parts: string[] = []
  const params: unknown[] = []
  const add = (sql: string, v: unknown): void => { params.push(v); parts.push(sql.replace('?', `$${first + params.length - 1}`)) }
  if (f.status !== undefined) add('d.status = ?', f.status)
  if (f.service !== undefined) add('d.service = ?', f.service)
  if (f.dossierCode !== undefined) add('d.dossier_code = ?', f.dossierCode)
  if (f.from !== undefined) add('d.created_at >= ?', f.from)
  if (f.to !== undefined) add('d.created_at < ?', f.to)
  return { where: parts.length > 0 ? `WHERE ${parts.join(' AND ')}` : '', params }
}

/** Admin listing, newest first. */
export async function listDeliveries (db: pg.Pool, f: DeliveryFilter, limit: number): Promise<DeliveryView[]> {
  const { where, params } = filterSql(f)
  const { rows } = await db.query<Row>(`${SELECT} ${where} ORDER BY d.created_at DESC, d.id LIMIT ${Math.trunc(limit)}`, params)
  return rows.map((r) => toView(r, true))
}
