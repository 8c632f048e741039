import type { Queue } from 'bullmq'
import type pg from 'pg'
import { acceptDeliveries, type Accepted, type AcceptInput } from './accept.js'
import { coalesce, type CoalesceOptions } from './coalesce.js'
import { enqueueDeliveries, type DeliveryJob } from './jobs.js'

/** What one request gets: its delivery, and for a new one whether its job could be queued. */
export interface AcceptOutcome {
  accepted: Accepted
  /** Set when the delivery was recorded now but its job could not be added to Redis (→ 503). */
  notQueued?: Error
}

/**
 * Records a group of requests (one PostgreSQL statement, one commit), then adds their jobs in one Redis pipeline;
 * each request gets its own outcome or error (404, 409), so a refused request does not fail the others.
 */
async function recordGroup (db: pg.Pool, queue: Queue<DeliveryJob>, inputs: AcceptInput[]): Promise<Array<AcceptOutcome | Error>> {
  const results = await acceptDeliveries(db, inputs)
  const jobs: DeliveryJob[] = []
  results.forEach((r, i) => {
    // An earlier request's delivery still queued may have met a Redis outage: its job is added again (a no-op
    // when it exists).
    if (r instanceof Error || (r.kind === 'existing' && r.status !== 'queued')) return
    jobs.push({ deliveryId: r.deliveryId, dossierCode: r.dossierCode, service: r.service, traceparent: inputs[i].traceparent })
  })
  const notQueued = await enqueueDeliveries(queue, jobs).then(() => undefined, (err: Error) => err)
  return results.map((r) => r instanceof Error ? r : r.kind === 'created' && notQueued !== undefined ? { accepted: r, notQueued } : { accepted: r })
}

/**
 * Group commit of accepted deliveries (`coalesce`): the requests that arrive while earlier groups are being
 * written are recorded together, and only then is each caller answered. The durability of each answer is the same
 * as one request at a time: 202 only once the delivery is committed in PostgreSQL and its job acknowledged by Redis.
 *
 * Per-dossier order: requests of one dossier never share a group nor run in two groups at once, and keep their
 * order, so they are numbered in the order they arrived (as one at a time). Likewise one request per idempotency
 * key at a time: a repeat finds the first one.
 */
export function acceptGrouped (db: pg.Pool, queue: Queue<DeliveryJob>, opts: Omit<CoalesceOptions<AcceptInput>, 'keysOf'> = {}): (input: AcceptInput) => Promise<AcceptOutcome> {
  return coalesce<AcceptInput, AcceptOutcome>(
    async (inputs) => await recordGroup(db, queue, inputs),
    async (input) => {
      const [outcome] = await recordGroup(db, queue, [input])
      if (outcome instanceof Error) throw outcome
      return outcome
    },
    { ...opts, keysOf: (input) => [`dossier\n${input.dossierCode}`, `key\n${input.clientId}\n${input.idem.key}`] })
}
