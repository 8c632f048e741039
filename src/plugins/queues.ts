import fp from 'fastify-plugin'
import { Queue, Worker } from 'bullmq'
import { DELIVERY_QUEUE, type DeliveryJob } from '../deliveries/jobs.js'
import { deliveryProcessor } from '../deliveries/processor.js'
import { reconcileOnce, startReconciler, type ReconcileResult } from '../deliveries/reconciler.js'

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
      connection: app.redis.forWorker('delivery-worker'),
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
