import { hexId } from './ids.js'
import type pg from 'pg'
import type { StoredSecret } from './signing-secrets.js'

export interface SubscriptionFilter {
  /** Today's province codes. */
  provinces?: string[]
  /** Today's commune codes. */
  communes?: string[]
  /** Agency electronic identifiers. */
  agencies?: string[]
  /** Procedure codes, national (`1.000894`) or locally published. */
  procedures?: string[]
}

export interface RetryPolicyInput { attempts?: number, baseDelayMs?: number, maxDelayMs?: number }

/** What an admin gives (POST, PUT). */
export interface SubscriptionInput {
  clientId: string
  eventTypes: string[]
  filter?: SubscriptionFilter
  /** The subscriber's webhook; absent or null: the subscriber pulls (GET /v1/events). */
  callbackUrl?: string | null
  purpose: string
  retryPolicy?: RetryPolicyInput
  enabled?: boolean
}

export interface Subscription {
  id: string
  clientId: string
  eventTypes: string[]
  filter: SubscriptionFilter
  callbackUrl: string | null
  purpose: string
  retryPolicy: { attempts: number, baseDelayMs: number, maxDelayMs: number }
  enabled: boolean
  secrets: StoredSecret[]
  version: number
  createdAt: string
  updatedAt: string
}

interface Row {
  id: string
  client_id: string
  event_types: string[]
  provinces: string[] | null
  communes: string[] | null
  agencies: string[] | null
  procedures: string[] | null
  callback_url: string | null
  purpose: string
  retry_attempts: number
  retry_base_ms: number
  retry_max_ms: number
  secrets: StoredSecret[]
  enabled: boolean
  version: number
  created_at: Date
  updated_at: Date
}

function toSubscription (r: Row): Subscription {
  const filter: SubscriptionFilter = {}
  if (r.provinces !== null) filter.provinces = r.provinces
  if (r.communes !== null) filter.communes = r.communes
  if (r.agencies !== null) filter.agencies = r.agencies
  if (r.procedures !== null) filter.procedures = r.procedures
  return {
    id: r.id,
    clientId: r.client_id,
    eventTypes: r.event_types,
    filter,
    callbackUrl: r.callback_url,
    purpose: r.purpose,
    retryPolicy: { attempts: r.retry_attempts, baseDelayMs: r.retry_base_ms, maxDelayMs: r.retry_max_ms },
    enabled: r.enabled,
    secrets: r.secrets,
    version: r.version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString()
  }
}

/** An empty filter list means "any", as an absent one: stored as NULL. */
const list = (v: string[] | undefined): string[] | null => v === undefined || v.length === 0 ? null : v

const values = (s: Omit<Subscription, 'createdAt' | 'updatedAt' | 'version'>): unknown[] => [
  s.id, s.clientId, s.eventTypes, list(s.filter.provinces), list(s.filter.communes), list(s.filter.agencies),
  list(s.filter.procedures), s.callbackUrl, s.purpose, s.retryPolicy.attempts, s.retryPolicy.baseDelayMs,
  s.retryPolicy.maxDelayMs, JSON.stringify(s.secrets), s.enabled
]

export const newSubscriptionId = (): string => hexId('sub_', 8)

/** Subscriptions in PostgreSQL. */
export class SubscriptionStore {
  readonly #db: pg.Pool

  constructor (db: pg.Pool) { this.#db = db }

  async list (clientId?: string): Promise<Subscription[]> {
    const { rows } = clientId === undefined
      ? await this.#db.query<Row>('SELECT * FROM event_subscriptions ORDER BY created_at, id')
      : await this.#db.query<Row>('SELECT * FROM event_subscriptions WHERE client_id = $1 ORDER BY created_at, id', [clientId])
    return rows.map(toSubscription)
  }

  async get (id: string): Promise<Subscription | undefined> {
    const { rows } = await this.#db.query<Row>('SELECT * FROM event_subscriptions WHERE id = $1', [id])
    return rows[0] !== undefined ? toSubscription(rows[0]) : undefined
  }

  async insert (s: Omit<Subscription, 'createdAt' | 'updatedAt' | 'version'>): Promise<Subscription> {
    const { rows } = await this.#db.query<Row>(`
      INSERT INTO event_subscriptions (id, client_id, event_types, provinces, communes, agencies, procedures, callback_url,
        purpose, retry_attempts, retry_base_ms, retry_max_ms, secrets, enabled)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING *`, values(s))
    return toSubscription(rows[0])
  }

  /** Replaces a subscription (secrets included); undefined when it does not exist. */
  async update (s: Omit<Subscription, 'createdAt' | 'updatedAt' | 'version'>): Promise<Subscription | undefined> {
    const { rows } = await this.#db.query<Row>(`
      UPDATE event_subscriptions SET client_id = $2, event_types = $3, provinces = $4, communes = $5, agencies = $6,
        procedures = $7, callback_url = $8, purpose = $9, retry_attempts = $10, retry_base_ms = $11, retry_max_ms = $12,
        secrets = $13, enabled = $14, version = version + 1, updated_at = now()
      WHERE id = $1 RETURNING *`, values(s))
    return rows[0] !== undefined ? toSubscription(rows[0]) : undefined
  }

  /** Deletes a subscription and its deliveries; false when it did not exist. */
  async delete (id: string): Promise<boolean> {
    const { rowCount } = await this.#db.query('DELETE FROM event_subscriptions WHERE id = $1', [id])
    return (rowCount ?? 0) > 0
  }
}
