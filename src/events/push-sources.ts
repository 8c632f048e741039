import type pg from 'pg'
import type { StoredSecret } from './signing-secrets.js'

/** A national system that pushes events (POST /v1/events/push/{id}), signing them with its own secrets. */
export interface PushSource {
  id: string
  description: string
  /** The event types it may push. */
  eventTypes: string[]
  secrets: StoredSecret[]
  enabled: boolean
  createdAt: string
  updatedAt: string
}

interface Row { id: string, description: string, event_types: string[], secrets: StoredSecret[], enabled: boolean, created_at: Date, updated_at: Date }

const toSource = (r: Row): PushSource => ({
  id: r.id,
  description: r.description,
  eventTypes: r.event_types,
  secrets: r.secrets,
  enabled: r.enabled,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString()
})

/** Push sources in PostgreSQL. */
export class PushSourceStore {
  readonly #db: pg.Pool

  constructor (db: pg.Pool) { this.#db = db }

  async list (): Promise<PushSource[]> {
    return (await this.#db.query<Row>('SELECT * FROM event_push_sources ORDER BY id')).rows.map(toSource)
  }

  async get (id: string): Promise<PushSource | undefined> {
    const { rows } = await this.#db.query<Row>('SELECT * FROM event_push_sources WHERE id = $1', [id])
    return rows[0] !== undefined ? toSource(rows[0]) : undefined
  }

  /** Creates or replaces (by id); `created` tells which. */
  async save (s: Omit<PushSource, 'createdAt' | 'updatedAt'>): Promise<{ source: PushSource, created: boolean }> {
    const { rows } = await this.#db.query<Row & { created: boolean }>(`
      INSERT INTO event_push_sources (id, description, event_types, secrets, enabled) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (id) DO UPDATE SET description = EXCLUDED.description, event_types = EXCLUDED.event_types,
        secrets = EXCLUDED.secrets, enabled = EXCLUDED.enabled, updated_at = now()
      RETURNING *, (xmax = 0) AS created`, [s.id, s.description, s.eventTypes, JSON.stringify(s.secrets), s.enabled])
    return { source: toSource(rows[0]), created: rows[0].created }
  }

  async delete (id: string): Promise<boolean> {
    return ((await this.#db.query('DELETE FROM event_push_sources WHERE id = $1', [id])).rowCount ?? 0) > 0
  }
}

/** The state of a pulled source: cursor, lease, totals, last error. */
export interface PullSourceState {
  source: string
  cursor: string | null
  leasedBy: string | null
  leaseUntil: string | null
  pulledAt: string | null
  eventsTotal: number
  lastError: string | null
}

export async function pullSourceStates (db: pg.Pool): Promise<PullSourceState[]> {
  const { rows } = await db.query<{ source: string, cursor: string | null, leased_by: string | null, lease_until: Date | null, pulled_at: Date | null, events_total: string, last_error: string | null }>(
    'SELECT source, cursor, leased_by, lease_until, pulled_at, events_total, last_error FROM event_source_cursors ORDER BY source')
  return rows.map((r) => ({
    source: r.source,
    cursor: r.cursor,
    leasedBy: r.leased_by,
    leaseUntil: r.lease_until?.toISOString() ?? null,
    pulledAt: r.pulled_at?.toISOString() ?? null,
    eventsTotal: Number(r.events_total),
    lastError: r.last_error
  }))
}
