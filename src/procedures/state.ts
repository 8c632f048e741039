import type pg from 'pg'
import type { DeliveryJob } from '../deliveries/jobs.js'
import type { WorkingCalendar } from './calendar.js'
import type { Group } from './definition.js'
import { PortalBatch, type CaseRef } from './portal.js'

export type StepStatus = 'pending' | 'ready' | 'running' | 'retrying' | 'awaiting-supplement' | 'completed' | 'failed' |
'stopped' | 'skipped' | 'cancelled'
export type CaseStatus = 'running' | 'awaiting-supplement' | 'needs-attention' | 'completed' | 'completed-with-failures' | 'cancelled'
/** Why a step failed: `exhausted` (retries used up: an admin may retry) or for good. */
export type Failure = 'refused' | 'exhausted' | 'supplement-expired' | 'invalid-input'

export interface StepRow {
  step_id: string
  status: StepStatus
  round: number
  dossier_code: string | null
  portal_status: number | null
  failure: Failure | null
  outputs: Record<string, unknown> | null
  deadline_at: Date | null
  current_attempt: string | null
}

export interface CaseRow {
  id: string
  client_id: string
  group_id: string
  group_version: number
  status: CaseStatus
  agency_code: string
  province_code: string
  dossier_code: string
  filing: Record<string, unknown>
  traceparent: string | null
  filed_at: Date
}

/** Steps that move by themselves; a pending step waits for one of them, for a supplement or for an admin. */
const ACTIVE = new Set<StepStatus>(['ready', 'running', 'retrying'])
const TERMINAL = new Set<StepStatus>(['completed', 'failed', 'stopped', 'skipped', 'cancelled'])

export const caseRef = (c: CaseRow): CaseRef => ({
  id: c.id, dossierCode: c.dossier_code, agencyCode: c.agency_code, filing: c.filing, filedAt: c.filed_at, traceparent: c.traceparent ?? undefined
})

/** What a transition leaves to do once committed: step jobs and portal delivery jobs to queue. */
export interface Effects { ready: string[], resumed: string[], deliveries: DeliveryJob[] }

/**
 * One case locked for a transition (its row FOR UPDATE: transitions of a case never interleave, so two branches
 * finishing at once cannot both miss that a join step is now ready). Changes are written through `set` and kept
 * in memory; `settle` then derives what follows: dependants ready or stopped, the case status, portal updates.
 */
export class LockedCase {
  readonly db: pg.PoolClient
  readonly row: CaseRow
  readonly group: Group
  readonly steps: Map<string, StepRow>
  readonly portal: PortalBatch
  readonly ready: string[] = []
  /** Steps ready again (a supplement, an admin retry): their old job may linger and must be replaced. */
  readonly resumed: string[] = []
  readonly #calendar: WorkingCalendar

  constructor (db: pg.PoolClient, row: CaseRow, group: Group, steps: StepRow[], calendar: WorkingCalendar) {
    this.db = db
    this.row = row
    this.group = group
    this.steps = new Map(steps.map((s) => [s.step_id, s]))
    this.portal = new PortalBatch(caseRef(row))
    this.#calendar = calendar
  }

  step (id: string): StepRow {
    const s = this.steps.get(id)
    if (s === undefined) throw new Error(`case ${this.row.id} has no step ${id}`)
    return s
  }

  /** Updates a step's columns (and the copy in memory). */
  async set (id: string, cols: Partial<Record<string, unknown>>): Promise<void> {
    const keys = Object.keys(cols)
    const assignments = keys.map((k, i) => `${k} = $${i + 3}`).join(', ')
    await this.db.query(`UPDATE procedure_steps SET ${assignments}, updated_at = now() WHERE case_id = $1 AND step_id = $2`,
      [this.row.id, id, ...keys.map((k) => cols[k])])
    Object.assign(this.step(id), cols)
  }

  /** The sub-procedure's dossier moves to `status` on the portal (when it has one and the status changes). */
  toPortal (id: string, status: number, event: string, note: string, dueAt?: Date | null): void {
    const s = this.step(id)
    if (s.dossier_code === null || s.portal_status === status) return
    this.portal.progress(s.dossier_code, status, `${event}:${s.round}`, note, new Date(), dueAt)
    s.portal_status = status
  }

  /** The step becomes ready: its deadline counted from now in working days, its dossier accepted and in processing. */
  async makeReady (id: string, round?: number): Promise<void> {
    const def = this.group.step(id)
    const now = new Date()
    const deadline = this.#calendar.deadline(now, def.deadlineWorkingDays)
    await this.set(id, {
      status: 'ready',
      ready_at: now,
      deadline_at: deadline,
      missing: null,
      next_attempt_at: null,
      ...(round !== undefined ? { round } : {})
    })
    const s = this.step(id)
    if (s.portal_status === 1) this.toPortal(id, 2, 'accepted', 'Tiếp nhận hồ sơ liên thông', deadline)
    this.toPortal(id, 4, 'processing', `Đang xử lý: ${def.title}`, deadline)
    ;(round !== undefined ? this.resumed : this.ready).push(id)
  }

  /** Whether what blocks this step can still be lifted by an admin (a step that ran out of retries). */
  #blockedFor (id: string): 'no' | 'retryable' | 'final' {
    let result: 'no' | 'retryable' | 'final' = 'no'
    for (const d of this.group.deps.get(id) ?? []) {
      const dep = this.steps.get(d)
      if (dep === undefined) continue
      if (dep.status === 'failed') {
        if (dep.failure !== 'exhausted') return 'final'
        result = 'retryable'
      } else if (dep.status === 'skipped' || dep.status === 'cancelled') {
        return 'final'
      } else if (dep.status === 'stopped') {
        const up = this.#blockedFor(d)
        if (up === 'final') return 'final'
        if (up === 'retryable') result = 'retryable'
      }
    }
    return result
  }

  /**
   * Derives what follows the changes made: pending steps whose prerequisites are all completed become ready;
   * steps behind a failure stop (their portal dossier is refused, status 3, once the failure is final); the case
   * status; the parent dossier's final status. Runs to a fixed point.
   */
  async settle (): Promise<CaseStatus> {
    for (let changed = true; changed;) {
      changed = false
      for (const [id, s] of this.steps) {
        if (s.status === 'pending') {
          const blocked = this.#blockedFor(id)
          if (blocked !== 'no') {
            await this.set(id, { status: 'stopped', reason: `stopped: ${(this.group.deps.get(id) ?? []).join(', ')} did not complete` })
            changed = true
          } else if ((this.group.deps.get(id) ?? []).every((d) => this.steps.get(d)?.status === 'completed')) {
            await this.makeReady(id)
            changed = true
          }
        } else if (s.status === 'stopped' && this.#blockedFor(id) === 'final' && s.portal_status === 1) {
          this.toPortal(id, 3, 'stopped', 'Không được tiếp nhận: thủ tục trước không hoàn thành')
        }
      }
    }
    return await this.#caseStatus()
  }

  async #caseStatus (): Promise<CaseStatus> {
    if (this.row.status === 'cancelled') return 'cancelled'
    const all = [...this.steps.values()]
    let status: CaseStatus
    if (all.some((s) => ACTIVE.has(s.status))) status = 'running'
    else if (all.some((s) => s.status === 'awaiting-supplement')) status = 'awaiting-supplement'
    else if (all.some((s) => s.status === 'failed' && s.failure === 'exhausted')) status = 'needs-attention'
    else if (all.some((s) => s.status === 'pending')) status = 'running'
    else status = all.every((s) => s.status === 'completed') ? 'completed' : 'completed-with-failures'
    if (status === this.row.status) return status
    const final = all.every((s) => TERMINAL.has(s.status)) && status !== 'needs-attention'
    await this.db.query(`UPDATE procedure_cases SET status = $2, finished_at = ${final ? 'now()' : 'NULL'}, updated_at = now() WHERE id = $1`,
      [this.row.id, status])
    this.row.status = status
    if (final) {
      const any = all.some((s) => s.status === 'completed')
      const code = this.row.dossier_code
      const now = new Date()
      if (any) {
        this.portal.progress(code, 9, 'done', status === 'completed' ? 'Đã xử lý xong' : 'Đã xử lý xong một phần', now)
        this.portal.progress(code, 10, 'returned', 'Đã trả kết quả điện tử', now)
      } else {
        this.portal.progress(code, 8, 'stopped', 'Dừng xử lý', now)
      }
    }
    return status
  }

  /** Records the portal updates; the effects to carry out after the commit. */
  async effects (warn: (msg: string, err: Error) => void): Promise<Effects> {
    return { ready: this.ready, resumed: this.resumed, deliveries: await this.portal.record(this.db, warn) }
  }
}

const CASE_COLUMNS = 'id, client_id, group_id, group_version, status, agency_code, province_code, dossier_code, filing, traceparent, filed_at'
const STEP_COLUMNS = 'step_id, status, round, dossier_code, portal_status, failure, outputs, deadline_at, current_attempt'

/** Locks a case and reads its steps (inside the caller's transaction); undefined when it does not exist. */
export async function lockCase (db: pg.PoolClient, id: string): Promise<{ row: CaseRow, steps: StepRow[] } | undefined> {
  const { rows } = await db.query<CaseRow>(`SELECT ${CASE_COLUMNS} FROM procedure_cases WHERE id = $1 FOR UPDATE`, [id])
  if (rows[0] === undefined) return undefined
  const steps = await db.query<StepRow>(`SELECT ${STEP_COLUMNS} FROM procedure_steps WHERE case_id = $1`, [id])
  return { row: rows[0], steps: steps.rows }
}
