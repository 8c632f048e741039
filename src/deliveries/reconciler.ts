import type { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { FastifyInstance } from 'fastify'
import { startPeriodic } from '../lib/periodic.js'
import { enqueueDelivery, requeueDelivery, type DeliveryJob } from './jobs.js'
import { withTransaction } from '../db/pool.js'

/** Arbitrary, fixed key of the advisory lock that lets one gateway instance reconcile at a time. */
const RECONCILE_LOCK = 727_003
const PAGE = 1000
/** Job states in which the job will run by itself. */
const LIVE = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children'])

export interface ReconcileResult { checked: number, requeued: number }

interface Row { id: string, dossier_code: string, service: DeliveryJob['service'], traceparent: string | null }

/**
 * Re-queues every unfinished delivery (queued, delivering, retrying) not touched for `graceMs` whose job is
 * missing from Redis (Redis restarted empty or flushed, a crash between the commit and the add), in no state
 * (debris of a partial loss), delayed but never promoted, or finished although PostgreSQL says otherwise. PostgreSQL is the truth; a job is only a wake-up call, and processing a
 * delivery twice is harmless (the processor claims it in PostgreSQL first).
 */
export async function reconcileOnce (app: FastifyInstance, queue: Queue<DeliveryJob>, graceMs: number): Promise<ReconcileResult> {
  const result: ReconcileResult = { checked: 0, requeued: 0 }
  await withTransaction(app.db, 'BEGIN', async (conn) => {
    const { rows: lock } = await conn.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [RECONCILE_LOCK])
    if (lock[0].ok) {
      const redis = await queue.client as unknown as Redis
      let after = '00000000-0000-0000-0000-000000000000'
      for (;;) {
        const { rows } = await conn.query<Row>(`
          SELECT id, dossier_code, service, traceparent FROM deliveries
          WHERE status IN ('queued', 'delivering', 'retrying') AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
            AND id > $2
          ORDER BY id LIMIT ${PAGE}`, [graceMs, after])
        if (rows.length === 0) break
        for (const r of rows) {
          const state = await queue.getJobState(r.id)
          const stuck = state === 'delayed' && await stuckDelayed(redis, queue, r.id, graceMs)
          if (LIVE.has(state) && !stuck) continue
          const job: DeliveryJob = { deliveryId: r.id, dossierCode: r.dossier_code, service: r.service, traceparent: r.traceparent ?? undefined }
          if (state === 'unknown' || stuck) {
            // Missing, or debris of a partial loss (a job hash in no list, or without its creation fields, or a
            // delayed job nobody promoted): BullMQ would take a leftover hash for the job and never add it again.
            await redis.zrem(queue.toKey('delayed'), r.id)
            await redis.del(queue.toKey(r.id))
            await enqueueDelivery(queue, job)
          } else {
            await requeueDelivery(queue, job)
          }
          result.requeued++
        }
        result.checked += rows.length
        after = rows[rows.length - 1].id
        if (rows.length < PAGE) break
      }
    }
  })
  if (result.requeued > 0) app.log.warn(result, 'reconciler re-queued deliveries whose job was missing')
  return result
}

/**
 * A delayed job that will not run by itself: its hash lost its creation fields (rewritten by a worker that was
 * retrying it while Redis was flushed), or it was due more than `graceMs` ago and is still waiting to be promoted
 * (seen after a flush that took the queue's marker with it).
 */
async function stuckDelayed (redis: Redis, queue: Queue<DeliveryJob>, id: string, graceMs: number): Promise<boolean> {
  const [name, data, timestamp, delay, processedOn] = await redis.hmget(queue.toKey(id), 'name', 'data', 'timestamp', 'delay', 'processedOn')
  if (name === null || data === null) return true
  const since = Math.max(Number(timestamp ?? 0), Number(processedOn ?? 0))
  return since + Number(delay ?? 0) + graceMs < Date.now()
}

/** Runs the reconciler now and then every `intervalMs`; returns the function that stops it. */
export function startReconciler (app: FastifyInstance, queue: Queue<DeliveryJob>, intervalMs: number, graceMs: number): () => Promise<void> {
  return startPeriodic(app.log, 'delivery reconciler run', async () => await reconcileOnce(app, queue, graceMs), intervalMs)
}
