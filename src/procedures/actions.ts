import { randomUUID } from 'node:crypto'
import { Conflict, NotFound, ValidationFailed } from '../errors.js'
import type { ProcedureEngine } from './engine.js'
import type { LockedCase } from './state.js'

type Json = Record<string, unknown>

const FINAL = new Set(['completed', 'completed-with-failures', 'cancelled'])

/** `data` merged into `base`: objects merged key by key, anything else replaced. */
function merge (base: Json, data: Json): Json {
  const out: Json = { ...base }
  for (const [k, v] of Object.entries(data)) {
    const b = out[k]
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && b !== null && typeof b === 'object' && !Array.isArray(b)
      ? merge(b as Json, v as Json)
      : v
  }
  return out
}

async function onCase<T> (engine: ProcedureEngine, caseId: string, clientId: string | undefined, fn: (lc: LockedCase) => Promise<T>): Promise<T> {
  const done = await engine.transact(caseId, async (lc) => {
    if (clientId !== undefined && lc.row.client_id !== clientId) throw new NotFound(`No case ${caseId}`)
    return await fn(lc)
  })
  if (done === undefined) throw new NotFound(`No case ${caseId}`)
  return done.value
}

export interface Supplement { documents?: Json[], data?: Json }

/**
 * The applicant's supplement: its data merged into the filing (checked again against the group's form), its
 * documents added, and every step waiting for it ready again in a new round (a new step key: the system is asked
 * afresh with what was missing). 409 when no step waits for one.
 */
export async function supplement (engine: ProcedureEngine, caseId: string, clientId: string, body: Supplement): Promise<string[]> {
  return await onCase(engine, caseId, clientId, async (lc) => {
    const waiting = [...lc.steps.values()].filter((s) => s.status === 'awaiting-supplement').map((s) => s.step_id)
    if (waiting.length === 0) throw new Conflict(`No step of case ${caseId} is waiting for a supplement`)
    const filing = merge(lc.row.filing, body.data ?? {})
    filing.documents = [...((lc.row.filing.documents ?? []) as Json[]), ...body.documents ?? []]
    const checked = engine.validator.validate(lc.group.def.filingSchema, filing)
    if (!checked.ok) {
      throw Object.assign(new ValidationFailed(`The filing with this supplement does not match ${lc.group.def.filingSchema}`), { errors: checked.errors })
    }
    await lc.db.query('UPDATE procedure_cases SET filing = $2, updated_at = now() WHERE id = $1', [caseId, filing])
    lc.row.filing = filing
    await lc.db.query('INSERT INTO procedure_supplements (id, case_id, client_id, body, resumed) VALUES ($1, $2, $3, $4, $5)',
      [randomUUID(), caseId, clientId, body, waiting])
    for (const id of waiting) await lc.makeReady(id, lc.step(id).round + 1)
    return waiting
  })
}

/**
 * Withdrawal by the applicant: every step not done is cancelled (a call in flight finishes, its answer is kept
 * in the attempts but changes nothing), each open dossier withdrawn on the portal (7). Steps already completed
 * stay completed: a registration made cannot be unmade by a withdrawal.
 */
export async function cancelCase (engine: ProcedureEngine, caseId: string, clientId: string, reason: string): Promise<void> {
  await onCase(engine, caseId, clientId, async (lc) => {
    if (FINAL.has(lc.row.status)) throw new Conflict(`Case ${caseId} is ${lc.row.status}: nothing left to withdraw`)
    for (const [id, s] of lc.steps) {
      if (!['pending', 'ready', 'running', 'retrying', 'awaiting-supplement', 'failed', 'stopped'].includes(s.status)) continue
      if (s.status === 'failed' && s.failure !== 'exhausted') continue
      await lc.set(id, { status: 'cancelled', reason: `withdrawn: ${reason}`, lease_until: null, next_attempt_at: null, finished_at: new Date() })
      if (s.portal_status !== null && [1, 2, 4, 5, 6].includes(s.portal_status)) lc.toPortal(id, 7, 'withdrawn', `Công dân rút hồ sơ: ${reason}`)
    }
    await lc.db.query("UPDATE procedure_cases SET status = 'cancelled', cancel_reason = $2, finished_at = now(), updated_at = now() WHERE id = $1", [caseId, reason])
    lc.row.status = 'cancelled'
    lc.portal.progress(lc.row.dossier_code, 7, 'withdrawn', `Công dân rút hồ sơ: ${reason}`, new Date())
  })
}

/**
 * An admin's decision on a step that ran out of retries: `retry` (the same step key, a fresh attempt budget; the
 * steps stopped behind it wait again) or `skip` (the case goes on without it: its dossier stopped on the portal,
 * the steps behind it refused). A step failed for good (refused by its system) cannot be retried: 409.
 */
export async function decideStep (engine: ProcedureEngine, caseId: string, stepId: string, action: 'retry' | 'skip', reason: string, by: string): Promise<void> {
  await onCase(engine, caseId, undefined, async (lc) => {
    const s = lc.steps.get(stepId)
    if (s === undefined) throw new NotFound(`Case ${caseId} has no step ${stepId}`)
    if (s.status !== 'failed') throw new Conflict(`Step ${stepId} is ${s.status}, not failed`)
    if (s.failure !== 'exhausted') throw new Conflict(`Step ${stepId} failed for good (${s.failure ?? '?'}): its dossier is stopped on the portal`)
    await lc.db.query('INSERT INTO procedure_step_actions (case_id, step_id, action, reason, by_client) VALUES ($1, $2, $3, $4, $5)',
      [caseId, stepId, action, reason, by])
    if (action === 'skip') {
      await lc.set(stepId, { status: 'skipped', reason: `skipped by ${by}: ${reason}` })
      lc.toPortal(stepId, 8, 'skipped', `Dừng xử lý: ${reason}`)
      return
    }
    await lc.db.query('UPDATE procedure_steps SET attempts_base = attempts_made, failure = NULL, reason = NULL WHERE case_id = $1 AND step_id = $2', [caseId, stepId])
    s.failure = null
    await lc.makeReady(stepId, s.round)
    for (const id of lc.group.downstream(stepId)) {
      const d = lc.steps.get(id)
      if (d?.status === 'stopped' && (d.portal_status === null || d.portal_status === 1)) await lc.set(id, { status: 'pending', reason: null })
    }
  })
}
