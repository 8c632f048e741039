import type pg from 'pg'

/** One event served to a pulling subscriber: its exact body, and which of its subscriptions it matched. */
export interface PulledEvent {
  seq: string
  id: string
  type: string
  body: string
  subscriptionIds: string[]
  caseId: string | null
  subjectHashes: string[]
  /** The declared purposes of those subscriptions. */
  purpose: string
}

export const encodeEventCursor = (seq: string): string => Buffer.from(`ev:${seq}`).toString('base64url')

/** The event position of a cursor this API gave, or undefined. */
export function decodeEventCursor (cursor: string): string | undefined {
  const m = /^ev:(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  return m?.[1]
}

/**
 * The events after position `after` of a client's pull subscriptions (enabled, without callback URL), oldest
 * first, each once even when it matched several of them. Positions are commit order (ingestion lock), so a page
 * never skips an event that commits later: paging on from the last position sees every event exactly once.
 */
export async function pullPage (db: pg.Pool, clientId: string, after: string, limit: number): Promise<PulledEvent[]> {
  const { rows } = await db.query<{ seq: string, id: string, type: string, body: string, subs: string[], case_id: string | null, subject_hashes: string[], purpose: string }>({
    name: 'events.pull',
    text: `
      SELECT e.seq::text AS seq, e.id, e.type, e.body, array_agg(d.subscription_id ORDER BY d.subscription_id) AS subs,
        e.case_id, e.subject_hashes, string_agg(DISTINCT s.purpose, '; ') AS purpose
      FROM event_subscriptions s
      JOIN event_deliveries d ON d.subscription_id = s.id AND d.event_seq > $2
      JOIN events e ON e.seq = d.event_seq
      WHERE s.client_id = $1 AND s.enabled AND s.callback_url IS NULL
      GROUP BY e.seq ORDER BY e.seq LIMIT $3`,
    values: [clientId, after, limit]
  })
  return rows.map((r) => ({ seq: r.seq, id: r.id, type: r.type, body: r.body, subscriptionIds: r.subs, caseId: r.case_id, subjectHashes: r.subject_hashes, purpose: r.purpose }))
}

/**
 * Acknowledgement of a pull: asking for the page after a cursor says every event up to it was received, so
 * their deliveries become `delivered` (and show so in the delivery status). Returns how many changed.
 */
export async function acknowledgePulled (db: pg.Pool, clientId: string, upTo: string): Promise<number> {
  const { rowCount } = await db.query({
    name: 'events.pull.ack',
    text: `
      UPDATE event_deliveries d SET status = 'delivered', delivered_at = now(), attempts = d.attempts + 1, updated_at = now()
      FROM event_subscriptions s
      WHERE s.id = d.subscription_id AND s.client_id = $1 AND s.callback_url IS NULL
        AND d.event_seq <= $2 AND d.status = 'pending'`,
    values: [clientId, upTo]
  })
  return rowCount ?? 0
}

/** The page as JSON text, the events' bodies spliced in as recorded (no re-serialisation). */
export function pageJson (events: PulledEvent[], nextCursor: string): string {
  let out = '{"items":['
  events.forEach((e, i) => {
    out += `${i > 0 ? ',' : ''}{"subscriptionIds":${JSON.stringify(e.subscriptionIds)},"event":${e.body}}`
  })
  return `${out}],"nextCursor":${JSON.stringify(nextCursor)}}`
}

/**
 * Long-poll waiters of this instance: woken when events are recorded (PostgreSQL NOTIFY on commit, any instance),
 * each wait bounded by its own deadline and ended when its request goes away.
 */
export class EventWaiters {
  readonly #waiting = new Set<() => void>()

  notify (): void {
    const all = [...this.#waiting]
    this.#waiting.clear()
    for (const wake of all) wake()
  }

  async wait (ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted === true) return
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        this.#waiting.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal?.addEventListener('abort', done, { once: true })
      this.#waiting.add(done)
    })
  }

  get size (): number { return this.#waiting.size }
}
