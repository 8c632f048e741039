import fp from 'fastify-plugin'
import { Queue, Worker } from 'bullmq'
import { DELIVERY_QUEUE, type DeliveryJob } from '../deliveries/jobs.js'
import { deliveryProcessor } from '../deliveries/processor.js'
import { reconcileOnce, startReconciler, type ReconcileResult } from '../deliveries/reconciler.js'

/**
 * The longest blocking wait of a BullMQ worker for its next job, in seconds: BullMQ caps it at 10 s (its drain delay,
 * 5 s by default, when the queue is empty; up to 10 s until the next delayed job is due).
 */
const WORKER_BLOCK_MAX_S = 10

declare module 'fastify' {
  interface FastifyInstance {
    queues: {
      deliveries: Queue<DeliveryJob>
      /** The delivery worker of this process, when workers run here. */
      deliveryWorker: Worker<DeliveryJob> | undefined
      /** Runs the reconciler once now (admin action, tests). */
      reconcile (): Promise<ReconcileResult>
    }
  }
}

export interface QueuesOptions {
  /** Run the delivery worker and the reconciler in this process (default: config WORKERS). */
  workers?: boolean
}

/**
 * BullMQ: the delivery queue (producer connection failing fast, so an accept without Redis answers 503 at once)
 * and, when workers run in this process, the delivery worker and the reconciler. Everything uses the config's
 * QUEUE_PREFIX and is closed on app close: the reconciler, then the worker (it finishes the jobs in hand), then
 * the queue.
 */
export default fp<QueuesOptions>(async function queues (app, opts) {
  const { queuePrefix: prefix, delivery: d } = app.config
  const deliveries = new Queue<DeliveryJob>(DELIVERY_QUEUE, {
    connection: app.redis.create('queue-producer', { enableOfflineQueue: false, maxRetriesPerRequest: 1 }),
    prefix
  })
  deliveries.on('error', (err) => app.log.warn({ err: err.message }, 'delivery queue error'))
  await deliveries.waitUntilReady()

  let worker: Worker<DeliveryJob> | undefined
  let stopReconciler: (() => Promise<void>) | undefined
  if (opts.workers ?? app.config.workers) {
    const processor = deliveryProcessor(app, deliveries, {
      defaults: { attempts: d.attempts, baseDelayMs: d.backoffMs, maxDelayMs: d.backoffMaxMs },
      orderWaitMs: d.orderWaitMs,
      blockedWaitMs: d.blockedWaitMs
    })
    worker = new Worker<DeliveryJob>(DELIVERY_QUEUE, processor, {
      // BullMQ asks for maxRetriesPerRequest: null on a worker's connection, and duplicates it for its blocking
      // one (BZPOPMIN, which waits up to WORKER_BLOCK_MAX_S, with BullMQ's own watchdog one second later): the
      // command deadline of both must exceed that wait, or every idle wait would time out.
      connection: app.redis.create('delivery-worker', { maxRetriesPerRequest: null, commandTimeout: WORKER_BLOCK_MAX_S * 1000 + 1000 + app.config.dependencies.timeoutMs }),
      prefix,
      concurrency: app.config.workerConcurrency,
      lockDuration: d.lockMs,
      stalledInterval: d.lockMs,
      maxStalledCount: 3,
      autorun: false
    })
    worker.on('error', (err) => app.log.warn({ err: err.message }, 'delivery worker error'))
    worker.on('failed', (job, err) => {
      if (job !== undefined && err.name !== 'UnrecoverableError') app.log.warn({ jobId: job.id, err: err.message }, 'delivery job error')
    })
    const started = worker
    app.addHook('onReady', async () => {
      started.run().catch((err: Error) => app.log.error({ err: err.message }, 'delivery worker stopped'))
      stopReconciler = startReconciler(app, deliveries, d.reconcileIntervalMs, d.reconcileGraceMs)
    })
  }

  app.decorate('queues', {
    deliveries,
    deliveryWorker: worker,
    reconcile: async () => await reconcileOnce(app, deliveries, d.reconcileGraceMs)
  })
  app.addHook('onClose', async () => {
    await stopReconciler?.()
    await worker?.close()
    await deliveries.close()
  })
}, { name: 'queues', dependencies: ['config', 'db', 'redis', 'connectors'] })
