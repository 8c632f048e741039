import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { AgencyNotAllowed, Conflict, NotFound } from '../errors.js'
import { isDependencyFailure } from '../lib/dependency-failure.js'
import type { IdempotencyIdentity } from './idempotency.js'
import { allowedFrom, TrangThaiHoSo } from './status.js'

export type DeliveryService = 'dossier.sync' | 'dossier.progress'
/** A pool, or a client inside a transaction (the procedure engine records portal updates with its own changes). */
export type Queryable = pg.Pool | pg.PoolClient
/** `cancelled`: a dead letter an admin decided will never be delivered (it no longer blocks its dossier). */
export type DeliveryStatus = 'queued' | 'delivering' | 'retrying' | 'delivered' | 'failed' | 'cancelled'

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

async function existing (db: Queryable, input: AcceptInput): Promise<Accepted | undefined> {
  const { rows } = await db.query<ExistingRow>(
    'SELECT id, body_hash, dossier_code, service, status FROM deliveries WHERE client_id = $1 AND idempotency_key = $2',
    [input.clientId, input.idem.key])
  return rows[0] !== undefined ? answer({ ...rows[0], kind: 'existing' }, input) : undefined
}

/**
 * Why a dossier call is refused when the client does not act for it: the same words whether its agency is not
 * registered for the client or another system registered for the agency manages it (issue 22 #1).
 */
export const notActingFor = (code: string): Error =>
  new AgencyNotAllowed(`This client may not act for dossier ${code}: its agency is not one registered for this client, or another system manages it`)

/** Why nothing was recorded: unknown dossier (404), someone else's (404/403) or a forbidden transition (409). */
async function refusal (db: Queryable, input: AcceptInput): Promise<Error> {
  const { rows } = await db.query<{ client_id: string, status: number }>(
    'SELECT client_id, status FROM dossiers WHERE code = $1', [input.dossierCode])
  const found = rows[0]
  if (found === undefined || (found.client_id !== input.clientId && input.service === 'dossier.progress')) {
    return new NotFound(`Dossier ${input.dossierCode} is unknown: sync it with POST /v1/dossiers first`)
  }
  if (found.client_id !== input.clientId) return notActingFor(input.dossierCode)
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
export async function acceptDelivery (db: Queryable, input: AcceptInput): Promise<Accepted> {
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

/** Bit `from` of `ALLOWED_MASKS[to - 1]` is set when a dossier in status `from` may move to status `to`. */
const ALLOWED_MASKS = Array.from({ length: 10 }, (_, i) => allowedFrom(i + 1).reduce((m, from) => m | (1 << from), 0))

/**
 * The same as ACCEPT_SYNC / ACCEPT_PROGRESS for a group of requests in one statement (one round trip, one commit:
 * a group commit). The caller guarantees distinct dossier codes and distinct (client, key) pairs within a group;
 * `i` numbers the requests. A new delivery is answered by its id alone (the caller made it), an earlier one by its
 * row and `i`; a request without a row in the answer was refused (see `refusal`).
 *
 * `prior` looks each key up in the unique index (a LATERAL subquery with LIMIT cannot become a hash join over the
 * whole table, which the planner picks for a small `deliveries` and which grows with it). The parameter is read
 * as `json` (checked, not converted as a whole): each payload is converted to jsonb once, for its row.
 */
const ACCEPT_GROUP = {
  name: 'deliveries.accept.group',
  text: `
  WITH input AS (
    SELECT * FROM json_to_recordset($1::json) AS t(i int, code text, client_id text, status smallint, id uuid, service text,
      key text, body_hash text, payload jsonb, traceparent text)
  ), prior AS (
    SELECT n.i, d.id, d.body_hash, d.dossier_code, d.service, d.status
    FROM input n CROSS JOIN LATERAL (
      SELECT id, body_hash, dossier_code, service, status FROM deliveries WHERE client_id = n.client_id AND idempotency_key = n.key LIMIT 1
    ) d
  ), fresh AS (
    SELECT n.* FROM input n WHERE NOT EXISTS (SELECT 1 FROM prior p WHERE p.i = n.i)
  ), synced AS (
    INSERT INTO dossiers AS x (code, client_id, status)
    SELECT code, client_id, status FROM fresh WHERE service = 'dossier.sync'
    ON CONFLICT (code) DO UPDATE SET last_seq = x.last_seq + 1, status = EXCLUDED.status, updated_at = now()
      WHERE x.client_id = EXCLUDED.client_id AND (($2::int[])[EXCLUDED.status] >> x.status) & 1 = 1
    RETURNING code, last_seq
  ), progressed AS (
    UPDATE dossiers x SET last_seq = x.last_seq + 1, status = f.status, updated_at = now()
    FROM fresh f
    WHERE f.service = 'dossier.progress' AND x.code = f.code AND x.client_id = f.client_id
      AND (($2::int[])[f.status] >> x.status) & 1 = 1
    RETURNING x.code, x.last_seq
  ), ins AS (
    INSERT INTO deliveries (id, client_id, service, dossier_code, seq, idempotency_key, body_hash, payload, traceparent)
    SELECT f.id, f.client_id, f.service, f.code, s.last_seq, f.key, f.body_hash, f.payload, f.traceparent
    FROM fresh f JOIN (SELECT code, last_seq FROM synced UNION ALL SELECT code, last_seq FROM progressed) s ON s.code = f.code
    RETURNING id
  )
  SELECT NULL::int AS i, 'created' AS kind, id, NULL AS body_hash, NULL AS dossier_code, NULL AS service, NULL AS status FROM ins
  UNION ALL
  SELECT i, 'existing', id, body_hash, dossier_code, service, status FROM prior`
}

type GroupRow = { i: number, kind: 'created', id: string } | (ExistingRow & { i: number, kind: 'existing' })

/** The group statement's parameter: one JSON array of the requests (`i` is the index in `inputs`). */
function groupJson (inputs: AcceptInput[], ids: readonly string[]): string {
  let out = '['
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]
    out += (i > 0 ? ',' : '') + JSON.stringify({
      i,
      code: input.dossierCode,
      client_id: input.clientId,
      status: input.status,
      id: ids[i],
      service: input.service,
      key: input.idem.key,
      body_hash: input.idem.bodyHash,
      payload: input.payload,
      traceparent: input.traceparent ?? null
    })
  }
  return out + ']'
}

/**
 * Records several deliveries in one statement (or finds the deliveries of earlier requests with the same keys):
 * each request gets what `acceptDelivery` would have given it, an `Accepted` or its own error (404, 409), and
 * a failing request does not fail the others. Dossier codes and (client, key) pairs must be distinct within
 * `inputs`. Should the group statement itself fail (an idempotency key raced by another transaction, a
 * deadlock with another instance's group), every request is recorded on its own instead — unless PostgreSQL itself
 * is unavailable: then every request fails at once with that error (a 503).
 */
export async function acceptDeliveries (db: Queryable, inputs: AcceptInput[]): Promise<Array<Accepted | Error>> {
  if (inputs.length === 1) return [await acceptDelivery(db, inputs[0]).catch((err: Error) => err)]
  const ids = inputs.map(() => randomUUID())
  let rows: GroupRow[]
  try {
    rows = (await db.query<GroupRow>({ ...ACCEPT_GROUP, values: [groupJson(inputs, ids), ALLOWED_MASKS] })).rows
  } catch (err) {
    // PostgreSQL unavailable (refused, or a deadline of the bounded waits): each request gets that answer now,
    // rather than wait as long again for one statement of its own.
    if (isDependencyFailure(err as Error)) return inputs.map(() => err as Error)
    return await Promise.all(inputs.map(async (input) => await acceptDelivery(db, input).catch((err: Error) => err)))
  }
  const out: Array<Accepted | Error | undefined> = inputs.map(() => undefined)
  const index = new Map<string, number>(ids.map((id, i) => [id, i]))
  let answered = 0
  for (const row of rows) {
    if (row.kind === 'created') {
      const i = index.get(row.id) as number
      const input = inputs[i]
      out[i] = { kind: 'created', deliveryId: row.id, dossierCode: input.dossierCode, service: input.service, status: 'queued' }
    } else {
      try {
        out[row.i] = answer(row, inputs[row.i])
      } catch (err) {
        out[row.i] = err as Error
      }
    }
    answered++
  }
  if (answered === inputs.length) return out as Array<Accepted | Error>
  return await Promise.all(out.map(async (r, i) => r ?? await refusal(db, inputs[i]).catch((err: Error) => err)))
}
