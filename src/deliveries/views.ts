import type pg from 'pg'
import type { DeliveryService, DeliveryStatus } from './accept.js'
import { badCursor, pageOf, type Page, type PageRequest } from '../lib/page.js'

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
  /** created_at as PostgreSQL prints it (microseconds kept): the exact position of a page's end. */
  created_key: string
  last_error: string | null
  cancelled_at: Date | null
  cancelled_by: string | null
  cancel_reason: string | null
  attempts: Array<{ at: string, outcome: string | null, upstream_status: number | null, upstream_code: string | null, error: string | null, duration_ms: number | null }>
}

const SELECT = `
  SELECT d.id, d.client_id, d.service, d.dossier_code, d.seq, d.status, d.next_attempt_at, d.delivered_at, d.created_at, d.created_at::text AS created_key, d.last_error,
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

/** A page of the deliveries of one dossier of one client, in accepted order. */
export async function deliveriesOfDossier (db: pg.Pool, clientId: string, code: string, page: PageRequest): Promise<Page<DeliveryView>> {
  const after = page.after === undefined ? 0 : Number(page.after)
  if (!Number.isSafeInteger(after)) throw badCursor()
  const { rows } = await db.query<Row>(`${SELECT} WHERE d.dossier_code = $1 AND d.client_id = $2 AND d.seq > $3 ORDER BY d.seq LIMIT $4`,
    [code, clientId, after, page.limit + 1])
  return pageOf(rows, page.limit, (r) => String(r.seq), (r) => toView(r, false))
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

/** A page of the admin listing, newest first. */
export async function listDeliveries (db: pg.Pool, f: DeliveryFilter, page: PageRequest): Promise<Page<DeliveryView>> {
  const { where, params } = filterSql(f)
  let sql = `${SELECT} ${where}`
  if (page.after !== undefined) {
    const at = page.after.indexOf('|')
    if (at <= 0) throw badCursor()
    params.push(page.after.slice(0, at), page.after.slice(at + 1))
    sql += `${where === '' ? ' WHERE' : ' AND'} (d.created_at, d.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`
  }
  params.push(page.limit + 1)
  const { rows } = await db.query<Row>(`${sql} ORDER BY d.created_at DESC, d.id DESC LIMIT $${params.length}`, params)
  return pageOf(rows, page.limit, (r) => `${r.created_key}|${r.id}`, (r) => toView(r, true))
}
