import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { Rollback, withTransaction } from '../db/pool.js'
import type { AuditKeyring } from '../audit/prepare.js'
import { stringsAt, valueAt } from '../catalog/subjects.js'
import type { FieldError } from '../catalog/explain-errors.js'
import type { EventCatalogue, EventType } from './catalogue.js'
import type { EventRouter } from './units.js'

/** What a source hands over: the gateway's canonical form of one change at a national system. */
export interface SourceEvent {
  type: string
  /** The source's own id of the change: an event is recorded once per (source, sourceEventId). */
  sourceEventId: string
  /** When it happened at the source (RFC 3339). */
  occurredAt: string
  data: Record<string, unknown>
}

export interface PublishOptions {
  /** Connector instance id, push source id, `admin-units`, or the name of an in-process producer. */
  source: string
  /** A pulled page: the source's cursor moves from `from` to `to` with its events, if `holder` still holds the lease. */
  cursor?: { holder: string, from: string | null, to: string | null }
  /** A pushed message: its id is remembered with its events; the same id again is a replay. */
  receipt?: string
}

/** An event as recorded (what the audit trail and the lanes are told of). */
export interface Recorded { id: string, type: string, caseId?: string, subjectHashes: string[] }

export interface PublishResult {
  /** Events recorded now (not recorded before from the same source). */
  recorded: Recorded[]
  /** Events already recorded (same source and source id): nothing done. */
  duplicates: number
  /** Items refused: unknown type or data not valid against the type's schema. */
  rejected: Array<{ index: number, sourceEventId: string, type: string, errors: FieldError[] }>
  deliveries: number
  /** Subscriptions with a callback URL that got new deliveries: their lanes to wake. */
  lanes: string[]
  /** Set when nothing was written: the cursor was moved by another puller, or the message id was seen before. */
  refused?: 'cursor-moved' | 'replayed'
}

/** Arbitrary, fixed key of the transaction lock that makes events' seq order their commit order. */
export const INGEST_LOCK = 727_021
export const EVENTS_CHANNEL = 'lienthong_events'

interface Row {
  i: number
  id: string
  type: string
  source_event_id: string
  occurred_at: string
  subject_key: string
  subject_hashes: string[]
  province_codes: string[]
  commune_codes: string[]
  agency_id: string | null
  procedure_codes: string[]
  case_id: string | null
  body: string
}

const INSERT = `
  WITH input AS (
    SELECT * FROM json_to_recordset($1::json) AS t(i int, id uuid, type text, source_event_id text, occurred_at timestamptz,
      subject_key text, subject_hashes text[], province_codes text[], commune_codes text[], agency_id text,
      procedure_codes text[], case_id text, body text)
  ), ins AS (
    INSERT INTO events (id, type, source, source_event_id, occurred_at, subject_key, subject_hashes, province_codes,
      commune_codes, agency_id, procedure_codes, case_id, body)
    SELECT id, type, $2, source_event_id, occurred_at, subject_key, subject_hashes, province_codes, commune_codes,
      agency_id, procedure_codes, case_id, body
    FROM input ORDER BY i
    ON CONFLICT (source, source_event_id) DO NOTHING
    RETURNING seq, id, type, subject_key, province_codes, commune_codes, agency_id, procedure_codes
  ), fan AS (
    INSERT INTO event_deliveries (subscription_id, event_seq, subject_key)
    SELECT s.id, ins.seq, ins.subject_key
    FROM ins JOIN event_subscriptions s ON s.enabled AND ins.type = ANY (s.event_types)
      AND (s.provinces IS NULL OR s.provinces && ins.province_codes)
      AND (s.communes IS NULL OR s.communes && ins.commune_codes)
      AND (s.agencies IS NULL OR ins.agency_id = ANY (s.agencies))
      AND (s.procedures IS NULL OR s.procedures && ins.procedure_codes)
    RETURNING subscription_id
  )
  SELECT (SELECT coalesce(json_agg(id), '[]') FROM ins) AS ids,
    (SELECT count(*) FROM fan)::int AS deliveries,
    ARRAY(SELECT DISTINCT f.subscription_id FROM fan f JOIN event_subscriptions s ON s.id = f.subscription_id
      WHERE s.callback_url IS NOT NULL) AS lanes,
    (SELECT max(seq) FROM ins) AS last_seq`

/** National procedure code of a local one (`1.000894.000.00.00.H22` → `1.000894`), so filters may use either. */
const procedureCodes = (code: unknown): string[] =>
  typeof code !== 'string' || code === '' ? [] : [...new Set([code, code.slice(0, 8)])]

const optional = (v: unknown): string | null => typeof v === 'string' && v !== '' ? v : null

/**
 * Records events: each checked against its type, routed by today's units, and written with its deliveries (one
 * per matching subscription) in one transaction, under the ingestion lock (so `seq` is commit order) — together
 * with a pulled page's cursor or a pushed message's id when given, all or nothing. An event already recorded from
 * the same source is skipped, which makes every source exactly once across restarts and instances.
 */
export class EventIngest {
  readonly #db: pg.Pool
  readonly #catalogue: EventCatalogue
  readonly #router: EventRouter
  readonly #keys: AuditKeyring

  constructor (deps: { db: pg.Pool, catalogue: EventCatalogue, router: EventRouter, keys: AuditKeyring }) {
    this.#db = deps.db
    this.#catalogue = deps.catalogue
    this.#router = deps.router
    this.#keys = deps.keys
  }

  /** Checks one event against its type's schema: undefined when valid, else the field errors. */
  check (e: SourceEvent): { type?: EventType, errors: FieldError[] } {
    const type = this.#catalogue.get(e.type)
    if (type === undefined) return { errors: [{ path: '/type', message: `unknown event type "${String(e.type)}"` }] }
    if (typeof e.sourceEventId !== 'string' || e.sourceEventId === '' || e.sourceEventId.length > 200) {
      return { type, errors: [{ path: '/sourceEventId', message: 'must be a string of 1 to 200 characters' }] }
    }
    if (typeof e.occurredAt !== 'string' || Number.isNaN(Date.parse(e.occurredAt))) {
      return { type, errors: [{ path: '/occurredAt', message: 'must be an RFC 3339 date-time' }] }
    }
    const result = this.#catalogue.validate(type, e.data)
    return result.ok ? { type, errors: [] } : { type, errors: result.errors.map((x) => ({ ...x, path: `/data${x.path === '/' ? '' : x.path}` })) }
  }

  #row (i: number, e: SourceEvent, type: EventType, source: string, now: string): Row {
    const routing = this.#router.route(type, e.data)
    const id = randomUUID()
    const occurred = new Date(e.occurredAt).toISOString()
    const body = JSON.stringify({ id, type: type.id, timestamp: occurred, recordedAt: now, source, units: routing.units, data: e.data })
    const order = valueAt(e.data, type.orderBy)
    return {
      i,
      id,
      type: type.id,
      source_event_id: e.sourceEventId,
      occurred_at: occurred,
      subject_key: this.#keys.subject(`${type.orderBy}\u0000${typeof order === 'string' ? order : e.sourceEventId}`),
      subject_hashes: stringsAt(e.data, type.subjects).map((s) => this.#keys.subject(s)),
      province_codes: routing.provinces,
      commune_codes: routing.communes,
      agency_id: type.agency !== undefined ? optional(valueAt(e.data, type.agency)) : null,
      procedure_codes: type.procedure !== undefined ? procedureCodes(valueAt(e.data, type.procedure)) : [],
      case_id: type.caseId !== undefined ? optional(valueAt(e.data, type.caseId)) : null,
      body
    }
  }

  async publish (events: readonly SourceEvent[], opts: PublishOptions): Promise<PublishResult> {
    const now = new Date().toISOString()
    const rows: Row[] = []
    const rejected: PublishResult['rejected'] = []
    events.forEach((e, i) => {
      const { type, errors } = this.check(e)
      if (type === undefined || errors.length > 0) {
        rejected.push({ index: i, sourceEventId: String(e.sourceEventId), type: String(e.type), errors })
        return
      }
      rows.push(this.#row(i, e, type, opts.source, now))
    })
    const result: PublishResult = { recorded: [], duplicates: 0, rejected, deliveries: 0, lanes: [] }
    if (rows.length === 0 && opts.cursor === undefined && opts.receipt === undefined) return result

    return await withTransaction<PublishResult>(this.#db, 'BEGIN', async (client) => {
      if (opts.receipt !== undefined) {
        const { rowCount } = await client.query('INSERT INTO event_push_receipts (source, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [opts.source, opts.receipt])
        if (rowCount === 0) return new Rollback({ ...result, refused: 'replayed' as const })
      }
      let ids: string[] = []
      if (rows.length > 0) {
        await client.query('SELECT pg_advisory_xact_lock($1)', [INGEST_LOCK])
        const { rows: [out] } = await client.query<{ ids: string[], deliveries: number, lanes: string[], last_seq: string | null }>(
          { name: 'events.ingest', text: INSERT, values: [JSON.stringify(rows), opts.source] })
        ids = out.ids
        result.deliveries = out.deliveries
        result.lanes = out.lanes
        if (out.last_seq !== null) await client.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, out.last_seq])
      }
      if (opts.cursor !== undefined) {
        const { rowCount } = await client.query(`
          UPDATE event_source_cursors SET cursor = $3, pulled_at = now(), events_total = events_total + $4, last_error = NULL, updated_at = now()
          WHERE source = $1 AND leased_by = $2 AND lease_until > now() AND cursor IS NOT DISTINCT FROM $5`,
        [opts.source, opts.cursor.holder, opts.cursor.to, ids.length, opts.cursor.from])
        if (rowCount === 0) return new Rollback({ ...result, deliveries: 0, lanes: [], refused: 'cursor-moved' as const })
      }
      const inserted = new Set(ids)
      for (const r of rows) {
        if (inserted.has(r.id)) result.recorded.push({ id: r.id, type: r.type, subjectHashes: r.subject_hashes, ...(r.case_id !== null ? { caseId: r.case_id } : {}) })
      }
      result.duplicates = rows.length - result.recorded.length
      return result
    })
  }
}
