import { isAbsolute } from 'node:path'
import fp from 'fastify-plugin'
import { Queue, Worker } from 'bullmq'
import { createValidator } from '../catalog/validator.js'
import { fromRoot } from '../lib/repo-root.js'
import { loadCalendar } from '../procedures/calendar.js'
import { ProcedureEngine } from '../procedures/engine.js'
import { GroupStore, readGroupFiles } from '../procedures/groups.js'
import { PROCEDURE_QUEUE, type StepJob } from '../procedures/jobs.js'
import { stepProcessor } from '../procedures/processor.js'
import { procedureMetrics } from '../procedures/metrics.js'
import { startSweeper, sweepOnce, type SweepResult } from '../procedures/sweeper.js'

declare module 'fastify' {
  interface FastifyInstance {
    procedures: {
      engine: ProcedureEngine
      groups: GroupStore
      queue: Queue<StepJob>
      /** The step worker of this process, when workers run here. */
      worker: Worker<StepJob> | undefined
      /** Runs the sweeper once (tests give `now` to move deadlines). */
      sweep (now?: Date): Promise<SweepResult>
    }
  }
}

/**
 * Interlinked procedures: the groups (files of PROCEDURES_DIR seeded and checked at start: a bad file stops the
 * start), the working-day calendar, the step queue and, when workers run here, its worker and the sweeper. Portal
 * updates go through the delivery engine's queue. Everything is closed on app close.
 */
export default fp<{ workers?: boolean }>(async function procedures (app, opts) {
  const validator = createValidator()
  const calendar = loadCalendar(validator)
  const dir = app.config.procedures.dir
  const groups = new GroupStore(app.db, validator)
  const seeded = await groups.seed(readGroupFiles(validator, isAbsolute(dir) ? dir : fromRoot(dir)))
  if (seeded.length > 0) app.log.info({ groups: seeded }, 'procedure groups seeded from files')

  const queue = new Queue<StepJob>(PROCEDURE_QUEUE, {
    connection: app.redis.create('procedure-producer', { enableOfflineQueue: false, maxRetriesPerRequest: 1 }),
    prefix: app.config.queuePrefix
  })
  queue.on('error', (err) => app.log.warn({ err: err.message }, 'procedure queue error'))
  await queue.waitUntilReady()
  const engine = new ProcedureEngine(app, { groups, calendar, validator, queue })
  const { sweepIntervalMs, sweepGraceMs } = app.config.procedures

  let worker: Worker<StepJob> | undefined
  let stopSweeper: (() => Promise<void>) | undefined
  if (opts.workers ?? app.config.workers) {
    worker = new Worker<StepJob>(PROCEDURE_QUEUE, stepProcessor(engine, { blockedWaitMs: app.config.delivery.blockedWaitMs }), {
      connection: app.redis.forWorker('procedure-worker'),
      prefix: app.config.queuePrefix,
      concurrency: app.config.workerConcurrency,
      lockDuration: app.config.delivery.lockMs,
      stalledInterval: app.config.delivery.lockMs,
      maxStalledCount: 3,
      autorun: false
    })
    worker.on('error', (err) => app.log.warn({ err: err.message }, 'procedure worker error'))
    worker.on('failed', (job, err) => {
      if (job !== undefined && err.name !== 'UnrecoverableError') app.log.warn({ jobId: job.id, err: err.message }, 'procedure step job error')
    })
    const started = worker
    app.addHook('onReady', async () => {
      started.run().catch((err: Error) => app.log.error({ err: err.message }, 'procedure worker stopped'))
      stopSweeper = startSweeper(engine, sweepIntervalMs, sweepGraceMs)
    })
  }

  app.decorate('procedures', {
    engine,
    groups,
    queue,
    worker,
    sweep: async (now?: Date) => await sweepOnce(engine, sweepGraceMs, now)
  })
  const stopMetrics = procedureMetrics(app)
  app.addHook('onClose', async () => {
    stopMetrics()
    await stopSweeper?.()
    await worker?.close()
    await queue.close()
  })
}, { name: 'procedures', dependencies: ['config', 'db', 'redis', 'connectors', 'queues'] })
