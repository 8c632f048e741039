import type { JobsOptions, Queue } from 'bullmq'
import type { DeliveryService } from './accept.js'

export const DELIVERY_QUEUE = 'deliveries'

/**
 * What a delivery job carries: ids only. The dossier itself stays in PostgreSQL (no personal data in Redis);
 * `traceparent` lets the worker continue the trace of the request that accepted it.
 */
export interface DeliveryJob {
  deliveryId: string
  dossierCode: string
  service: DeliveryService
  traceparent?: string
}

/**
 * Portal attempts, their backoff and the dead letter are decided by the processor from PostgreSQL; BullMQ's own
 * attempts only cover the processor failing around them (PostgreSQL unreachable, a bug).
 */
export const DELIVERY_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  removeOnComplete: true,
  removeOnFail: { age: 30 * 24 * 3600 }
}

/** Adds the job of a delivery; its id is the delivery id, so adding it again while it exists does nothing. */
export async function enqueueDelivery (queue: Queue<DeliveryJob>, job: DeliveryJob): Promise<void> {
  await queue.add(job.service, job, { ...DELIVERY_JOB_OPTIONS, jobId: job.deliveryId })
}

/** Adds the jobs of several deliveries in one Redis round trip (a pipeline); existing jobs are left as they are. */
export async function enqueueDeliveries (queue: Queue<DeliveryJob>, jobs: DeliveryJob[]): Promise<void> {
  if (jobs.length === 0) return
  if (jobs.length === 1) return await enqueueDelivery(queue, jobs[0])
  await queue.addBulk(jobs.map((job) => ({ name: job.service, data: job, opts: { ...DELIVERY_JOB_OPTIONS, jobId: job.deliveryId } })))
}

/**
 * Makes sure a job will run: a waiting or delayed one is left (a delayed one promoted), an active one too; a
 * finished or failed one is replaced by `add`. Any queue whose jobs are wake-up calls of rows in PostgreSQL.
 */
export async function requeueJob (queue: Queue, jobId: string, add: () => Promise<void>): Promise<void> {
  const old = await queue.getJob(jobId)
  if (old !== undefined) {
    const state = await old.getState()
    if (state === 'active') return
    if (state === 'delayed' || state === 'waiting' || state === 'prioritized') {
      if (state === 'delayed') await old.promote().catch(() => {})
      return
    }
    await old.remove().catch(() => {})
  }
  await add()
}

/** Replaces the job of a delivery (after a replay, or when the reconciler finds it finished or missing). */
export async function requeueDelivery (queue: Queue<DeliveryJob>, job: DeliveryJob): Promise<void> {
  await requeueJob(queue as Queue, job.deliveryId, async () => { await enqueueDelivery(queue, job) })
}
