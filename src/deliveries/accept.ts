import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { Conflict, NotFound } from '../errors.js'
import type { IdempotencyIdentity } from './idempotency.js'
import { allowedFrom, TrangThaiHoSo } from './status.js'

export type DeliveryService = 'dossier.sync' | 'dossier.progress'
export type DeliveryStatus = 'queued' | 'delivering' | 'retrying' | 'delivered' | 'failed'

export interface AcceptInput {
  clientId: string
  service: DeliveryService
  dossierCode: string
  /** The dossier status the request sets (1–10), checked against the current one. */
  status: number
  payload: Record<string, unknown>
  idem: IdempotencyIdentity
  traceparent?: string
}

export interface Accepted {
  /** `created`: recorded now (202 once queued); `existing`: the delivery of an earlier identical request (200). */
  kind: 'created' | 'existing'
  deliveryId: string
  dossierCode: string
  service: DeliveryService
  status: DeliveryStatus
}

interface ExistingRow { id: string, body_hash: string, dossier_code: string, service: DeliveryService, status: DeliveryStatus }

/**
 * One statement, one round trip: the delivery of an earlier request with the same key (`prior`), or else the
 * dossier's new status and sequence (`d`, a CTE given by the caller) and the new delivery row.
 */
const accept = (name: string, dossier: string): { name: string, text: string } => ({
  name,
  text: `
  WITH prior AS (
    SELECT id, body_hash, dossier_code, service, status FROM deliveries WHERE client_id = $2 AND idempotency_key = $7
  ), d AS (${dossier}
  ), ins AS (
    INSERT INTO deliveries (id, client_id, service, dossier_code, seq, idempotency_key, body_hash, payload, traceparent)
    SELECT $5, $2, $6, $1, d.last_seq, $7, $8, $9, $10 FROM d
    RETURNING id
  )
  SELECT 'created' AS kind, id, $8 AS body_hash, $1 AS dossier_code, $6 AS service, 'queued' AS status FROM ins
  UNION ALL
  SELECT 'existing', id, body_hash, dossier_code, service, status FROM prior`
})

/** A new dossier, or a new version of one of the caller's dossiers whose current status allows the new one. */
const ACCEPT_SYNC = accept('deliveries.accept.sync', `
    INSERT INTO dossiers AS x (code, client_id, status) SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM prior)
    ON CONFLICT (code) DO UPDATE SET last_seq = x.last_seq + 1, status = EXCLUDED.status, updated_at = now()
      WHERE x.client_id = EXCLUDED.client_id AND x.status = ANY($4::smallint[])
    RETURNING last_seq`)

/** A processing step of one of the caller's dossiers whose current status allows the step's. */
const ACCEPT_PROGRESS = accept('deliveries.accept.progress', `
    UPDATE dossiers SET last_seq = last_seq + 1, status = $3, updated_at = now()
    WHERE code = $1 AND client_id = $2 AND status = ANY($4::smallint[]) AND NOT EXISTS (SELECT 1 FROM prior)
    RETURNING last_seq`)

async function existing (db: pg.Pool, input: AcceptInput): Promise<Accepted | undefined> {
  const { rows } = await db.query<ExistingRow>(
    'SELECT id, body_hash, dossier_code, service, status FROM deliveries WHERE client_id = $1 AND idempotency_key = $2',
    [input.clientId, input.idem.key])
  return rows[0] !== undefined ? answer({ ...rows[0], kind: 'existing' }, input) : undefined
}

/** Why nothing was recorded: unknown dossier (404), someone else's (404/409) or a forbidden transition (409). */
async function refusal (db: pg.Pool, input: AcceptInput): Promise<Error> {
  const { rows } = await db.query<{ client_id: string, status: number }>(
    'SELECT client_id, status FROM dossiers WHERE code = $1', [input.dossierCode])
  const found = rows[0]
  if (found === undefined || (found.client_id !== input.clientId && input.service === 'dossier.progress')) {
    return new NotFound(`Dossier ${input.dossierCode} is unknown: sync it with POST /v1/dossiers first`)
  }
  if (found.client_id !== input.clientId) return new Conflict(`Dossier ${input.dossierCode} is managed by another client`)
  return new Conflict(`Dossier ${input.dossierCode} is in status ${found.status} (${TrangThaiHoSo[found.status]}); ` +
    `status ${input.status} (${TrangThaiHoSo[input.status]}) is not allowed after it`)
}

function answer (row: ExistingRow & { kind: 'created' | 'existing' }, input: AcceptInput): Accepted {
  if (row.kind === 'existing' && row.body_hash !== input.idem.bodyHash) {
    throw new Conflict('This Idempotency-Key was already used with another request body')
  }
  return { kind: row.kind, deliveryId: row.id, dossierCode: row.dossier_code, service: row.service, status: row.status }
}

/**
 * Records a delivery durably (one SQL statement: the dossier's status and sequence, and the delivery row),
 * or finds the delivery of an earlier request with the same idempotency key. The caller queues the job.
 */
export async function acceptDelivery (db: pg.Pool, input: AcceptInput): Promise<Accepted> {
  try {
    const { rows } = await db.query<ExistingRow & { kind: 'created' | 'existing' }>({
      ...(input.service === 'dossier.sync' ? ACCEPT_SYNC : ACCEPT_PROGRESS),
      values: [input.dossierCode, input.clientId, input.status, allowedFrom(input.status), randomUUID(), input.service,
        input.idem.key, input.idem.bodyHash, input.payload, input.traceparent ?? null]
    })
    if (rows.length === 0) throw await refusal(db, input)
    return answer(rows[0], input)
  } catch (err) {
    // The same key raced us: the other request recorded it first.
    if ((err as { code?: string }).code === '23505') {
      const raced = await existing(db, input)
      if (raced !== undefined) return raced
    }
    throw err
  }
}
