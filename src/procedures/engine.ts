import type { Queue } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import { enqueueDeliveries } from '../deliveries/jobs.js'
import type { Validator } from '../catalog/validator.js'
import type { WorkingCalendar } from './calendar.js'
import type { GroupStore } from './groups.js'
import { enqueueSteps, requeueStep, type StepJob } from './jobs.js'
import { LockedCase, lockCase, type Effects, type Failure } from './state.js'

export interface EngineDeps {
  groups: GroupStore
  calendar: WorkingCalendar
  validator: Validator
  queue: Queue<StepJob>
}

/**
 * Transitions of cases: each in one PostgreSQL transaction with the case locked, its portal updates recorded in
 * the same transaction (the delivery engine's tables), and only after the commit the jobs queued — a job lost
 * there is found again by the sweeper (steps) or the delivery reconciler (portal updates).
 */
export class ProcedureEngine {
  readonly app: FastifyInstance
  readonly groups: GroupStore
  readonly calendar: WorkingCalendar
  readonly validator: Validator
  readonly queue: Queue<StepJob>

  constructor (app: FastifyInstance, deps: EngineDeps) {
    this.app = app
    this.groups = deps.groups
    this.calendar = deps.calendar
    this.validator = deps.validator
    this.queue = deps.queue
  }

  readonly warn = (msg: string, err: Error): void => { this.app.log.warn({ err: err.message }, msg) }

  /** Runs `fn` on the locked case, settles it and commits; undefined when the case does not exist. */
  async transact<T> (caseId: string, fn: (lc: LockedCase) => Promise<T>): Promise<{ value: T, lc: LockedCase } | undefined> {
    const db = await this.app.db.connect()
    let effects: Effects
    let out: { value: T, lc: LockedCase }
    try {
      await db.query('BEGIN')
      const locked = await lockCase(db, caseId)
      if (locked === undefined) { await db.query('ROLLBACK'); return undefined }
      const group = await this.groups.version(locked.row.group_id, locked.row.group_version)
      const lc = new LockedCase(db, locked.row, group, locked.steps, this.calendar)
      const value = await fn(lc)
      await lc.settle()
      effects = await lc.effects(this.warn)
      await db.query('COMMIT')
      out = { value, lc }
    } catch (err) {
      await db.query('ROLLBACK').catch(() => {})
      throw err
    } finally {
      db.release()
    }
    await this.afterCommit(caseId, out.lc.row.traceparent ?? undefined, effects)
    return out
  }

  /** Queues what a committed transition made ready; a failure here is repaired by the sweeper and the reconciler. */
  async afterCommit (caseId: string, traceparent: string | undefined, e: Effects): Promise<void> {
    const job = (stepId: string): StepJob => ({ caseId, stepId, traceparent })
    try {
      await enqueueSteps(this.queue, e.ready.map(job))
      for (const id of e.resumed) await requeueStep(this.queue, job(id))
      if (this.app.hasDecorator('queues')) await enqueueDeliveries(this.app.queues.deliveries, e.deliveries)
    } catch (err) {
      this.app.log.warn({ caseId, err: (err as Error).message }, 'procedure jobs not queued; the sweeper will queue them')
    }
  }

  /**
   * A step fails: `exhausted` leaves its dossier in processing (an admin may retry it); any other failure is final
   * (its dossier stopped, status 8). With `then: stop-case` a final failure also stops every step not yet done.
   */
  async fail (lc: LockedCase, stepId: string, failure: Failure, reason: string): Promise<void> {
    await lc.set(stepId, { status: 'failed', failure, reason, lease_until: null, next_attempt_at: null, finished_at: new Date() })
    if (failure === 'exhausted') return
    lc.toPortal(stepId, 8, 'failed', `Dừng xử lý: ${reason}`.slice(0, 4000))
    if (lc.group.step(stepId).onFailure?.then !== 'stop-case') return
    for (const [id, s] of lc.steps) {
      if (!['pending', 'ready', 'retrying', 'awaiting-supplement'].includes(s.status)) continue
      await lc.set(id, { status: 'stopped', reason: `stopped: the case stops when ${stepId} fails`, next_attempt_at: null })
      lc.toPortal(id, s.portal_status === 1 ? 3 : 8, 'stopped', 'Dừng xử lý: hồ sơ liên thông dừng')
    }
  }
}
