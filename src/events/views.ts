import type pg from 'pg'
import type { SecretView } from './signing-secrets.js'
import { SigningSecrets } from './signing-secrets.js'
import type { Subscription } from './subscriptions.js'

/** A subscription as the admin API shows it: never a secret's value. What GET gives can be PUT back. */
export interface SubscriptionView extends Omit<Subscription, 'secrets' | 'version'> {
  delivery: 'webhook' | 'pull'
  secrets: SecretView[]
}

export function subscriptionView (s: Subscription): SubscriptionView {
  const { secrets, version: _version, ...rest } = s
  return { ...rest, delivery: s.callbackUrl !== null ? 'webhook' : 'pull', secrets: SigningSecrets.view(secrets) }
}

export type EventDeliveryStatus = 'pending' | 'delivering' | 'retrying' | 'delivered' | 'failed'

/** One delivery of one event to one subscription, as its status is searched (no payload). */
export interface EventDeliveryView {
  eventId: string
  eventType: string
  position: string
  status: EventDeliveryStatus
  attempts: number
  caseId?: string
  occurredAt: string
  createdAt: string
  lastAttemptAt?: string
  lastStatus?: number
  lastError?: string
  lastDurationMs?: number
  nextAttemptAt?: string
  deliveredAt?: string
}

export interface DeliverySearch {
  status?: EventDeliveryStatus
  eventType?: string
  eventId?: string
  caseId?: string
  /** Created within [from, to). */
  from?: string
  to?: string
}

interface Row {
  seq: string
  id: string
  type: string
  case_id: string | null
  occurred_at: Date
  status: EventDeliveryStatus
  attempts: number
  created_at: Date
  last_attempt_at: Date | null
  last_status: number | null
  last_error: string | null
  last_duration_ms: number | null
  next_attempt_at: Date | null
  delivered_at: Date | null
}

function toView (r: Row): EventDeliveryView {
  const v: EventDeliveryView = {
    eventId: r.id,
    eventType: r.type,
    position: r.seq,
    status: r.status,
    attempts: r.attempts,
    occurredAt: r.occurred_at.toISOString(),
    createdAt: r.created_at.toISOString()
  }
  if (r.case_id !== null) v.caseId = r.case_id
  if (r.last_attempt_at !== null) v.lastAttemptAt = r.last_attempt_at.toISOString()
  if (r.last_status !== null) v.lastStatus = r.last_status
  if (r.last_error !== null) v.lastError = r.last_error
  if (r.last_duration_ms !== null) v.lastDurationMs = r.last_duration_ms
  if (r.next_attempt_at !== null && r.status === 'retrying') v.nextAttemptAt = r.next_attempt_at.toISOString()
  if (r.delivered_at !== null) v.deliveredAt = r.delivered_at.toISOString()
  return v
}

/** WHERE conditions (after `d.subscription_id = $1`) and parameters of a search. */
export function searchSql (f: DeliverySearch, params: unknown[]): string {
  const conds: string[] = []
  const add = (sql: string, v: unknown): void => { params.push(v); conds.push(sql.replace('?', `$${params.length}`)) }
  if (f.status !== undefined) add('d.status = ?', f.status)
  if (f.eventType !== undefined) add('e.type = ?', f.eventType)
  if (f.eventId !== undefined) add('e.id = ?', f.eventId)
  if (f.caseId !== undefined) add('e.case_id = ?', f.caseId)
  if (f.from !== undefined) add('d.created_at >= ?', f.from)
  if (f.to !== undefined) add('d.created_at < ?', f.to)
  return conds.map((c) => ` AND ${c}`).join('')
}

/**
 * One page of a subscription's deliveries, newest event first; `before` is the position the previous page ended
 * at. Returns the page and the position to continue from (null: no more).
 */
export async function searchDeliveries (db: pg.Pool, subscriptionId: string, f: DeliverySearch, limit: number, before?: string):
Promise<{ items: EventDeliveryView[], next: string | null }> {
  const params: unknown[] = [subscriptionId]
  let where = searchSql(f, params)
  if (before !== undefined) { params.push(before); where += ` AND d.event_seq < $${params.length}` }
  params.push(limit + 1)
  const { rows } = await db.query<Row>(`
    SELECT d.event_seq::text AS seq, e.id, e.type, e.case_id, e.occurred_at, d.status, d.attempts, d.created_at,
      d.last_attempt_at, d.last_status, d.last_error, d.last_duration_ms, d.next_attempt_at, d.delivered_at
    FROM event_deliveries d JOIN events e ON e.seq = d.event_seq
    WHERE d.subscription_id = $1${where}
    ORDER BY d.event_seq DESC LIMIT $${params.length}`, params)
  const items = rows.slice(0, limit).map(toView)
  return { items, next: rows.length > limit ? items[items.length - 1].position : null }
}

/**
 * Replays deliveries of a subscription matching a search (failed ones by default: the dead letters): back to
 * `pending` with a fresh attempt budget, in their original order per subject. Returns how many.
 */
export async function replayDeliveries (db: pg.Pool, subscriptionId: string, f: DeliverySearch): Promise<number> {
  const params: unknown[] = [subscriptionId]
  const where = searchSql({ ...f, status: f.status ?? 'failed' }, params)
  const { rowCount } = await db.query(`
    UPDATE event_deliveries d SET status = 'pending', attempts_base = d.attempts, next_attempt_at = NULL, lease_until = NULL, updated_at = now()
    FROM events e
    WHERE e.seq = d.event_seq AND d.subscription_id = $1 AND d.status IN ('failed', 'delivered')${where}`, params)
  return rowCount ?? 0
}
