import { randomUUID } from 'node:crypto'
import { getAt } from '../connectors/json-pointer.js'
import { getService } from '../catalog/services.js'
import { getSchema } from '../catalog/schemas.js'
import type { IdempotencyIdentity } from '../deliveries/idempotency.js'
import { Conflict, ValidationFailed } from '../errors.js'
import { parseSource, type Group, type StepDefinition } from './definition.js'
import type { ProcedureEngine } from './engine.js'
import { LockedCase, type CaseRow, type StepRow } from './state.js'

type Json = Record<string, unknown>
interface FieldError { path: string, message: string }

const invalid = (message: string, errors: FieldError[]): Error => Object.assign(new ValidationFailed(message), { errors })

/**
 * The steps a filing runs (the required ones and the optional ones it chooses), after the checks no schema can
 * make: chosen procedures exist and are optional, their prerequisites are chosen, the number of procedures is
 * within the group's choice, and every request field a step needs from the filing is there.
 */
export function stepsOf (group: Group, filing: Json): StepDefinition[] {
  const chosen = (filing.procedures ?? []) as string[]
  const errors: FieldError[] = []
  chosen.forEach((id, i) => {
    if (group.steps.get(id)?.optional !== true) errors.push({ path: `/procedures/${i}`, message: `"${id}" is not an optional procedure of ${group.id}` })
  })
  const steps = group.def.steps.filter((s) => s.optional !== true || chosen.includes(s.id))
  const included = new Set(steps.map((s) => s.id))
  for (const s of steps) {
    for (const d of group.deps.get(s.id) ?? []) {
      if (!included.has(d)) errors.push({ path: '/procedures', message: `"${s.id}" needs "${d}" to be chosen too` })
    }
    const request = getSchema(getService(s.service)?.requestSchemaId ?? '')
    const required = new Set((request?.required ?? []) as string[])
    for (const [field, src] of Object.entries(s.inputs)) {
      if (typeof src !== 'string' || !required.has(field)) continue
      const p = parseSource(src)
      if (p.from === 'filing' && getAt(filing, p.pointer) === undefined) errors.push({ path: p.pointer, message: `is required for ${s.title} (${s.id})` })
    }
  }
  const portal = steps.filter((s) => s.portal !== false).length
  const c = group.def.choice
  if ((c?.min !== undefined && portal < c.min) || (c?.max !== undefined && portal > c.max)) {
    errors.push({ path: '/procedures', message: `choose between ${c?.min ?? 1} and ${c?.max ?? portal} procedures in all (${portal} now)` })
  }
  if (errors.length > 0) throw invalid(`The filing cannot run group ${group.id}`, errors)
  return steps
}

/** Today in Asia/Ho_Chi_Minh as YYMMDD (the date part of a dossier code). */
const dayOf = (d: Date): string => new Date(d.getTime() + 7 * 3600_000).toISOString().slice(2, 10).replaceAll('-', '')

export interface Filed { kind: 'created' | 'existing', caseId: string, dossierCode: string, status: string }

export interface FilingInput {
  clientId: string
  group: Group
  filing: Json
  idem: IdempotencyIdentity
  traceparent?: string
}

/**
 * Records a case durably: the case, its steps, the sub-procedures' dossier codes (issued per receiving agency and
 * day, counting down from 9999), the parent and sub-dossiers on the portal (through the delivery engine), and the
 * first steps ready — one transaction. The same idempotency key with the same filing finds the case (200); with
 * another filing, or a parent dossier code already used, 409.
 */
export async function fileCase (engine: ProcedureEngine, input: FilingInput): Promise<Filed> {
  const { group, filing, clientId, idem } = input
  const steps = stepsOf(group, filing)
  const dossierCode = filing.dossierCode as string
  const agencyCode = filing.agencyCode as string
  if (!dossierCode.startsWith(`${agencyCode}-`)) {
    throw invalid('The dossier code must be issued by the receiving agency', [{ path: '/dossierCode', message: `must start with ${agencyCode}-` }])
  }
  const prior = async (): Promise<Filed | undefined> => {
    const { rows } = await engine.app.db.query<{ id: string, body_hash: string, dossier_code: string, status: string }>(
      'SELECT id, body_hash, dossier_code, status FROM procedure_cases WHERE client_id = $1 AND idempotency_key = $2', [clientId, idem.key])
    if (rows[0] === undefined) return undefined
    if (rows[0].body_hash !== idem.bodyHash) throw new Conflict('This Idempotency-Key was already used with another filing')
    return { kind: 'existing', caseId: rows[0].id, dossierCode: rows[0].dossier_code, status: rows[0].status }
  }
  const earlier = await prior()
  if (earlier !== undefined) return earlier

  const id = randomUUID()
  const now = new Date()
  const db = await engine.app.db.connect()
  let lc: LockedCase
  let effects
  try {
    await db.query('BEGIN')
    const used = await db.query('SELECT 1 FROM dossiers WHERE code = $1 UNION ALL SELECT 1 FROM procedure_cases WHERE dossier_code = $1', [dossierCode])
    if (used.rows.length > 0) throw new Conflict(`Dossier code ${dossierCode} is already in use: give the interlinked dossier a new code`)
    const portalSteps = steps.filter((s) => s.portal !== false)
    const codes = new Map<string, string>()
    if (portalSteps.length > 0) {
      const day = dayOf(now)
      const { rows } = await db.query<{ last: number }>(`
        INSERT INTO procedure_code_counters AS c (agency_code, day, last) VALUES ($1, $2, 10000 - $3)
        ON CONFLICT (agency_code, day) DO UPDATE SET last = c.last - $3 RETURNING last`, [agencyCode, day, portalSteps.length])
      const first = rows[0].last
      if (first < 1) throw new Conflict(`No dossier code left for ${agencyCode} today`)
      portalSteps.forEach((s, i) => codes.set(s.id, `${agencyCode}-${day}-${String(first + i).padStart(4, '0')}`))
    }
    const row: CaseRow = {
      id,
      client_id: clientId,
      group_id: group.id,
      group_version: group.version,
      status: 'running',
      agency_code: agencyCode,
      province_code: filing.provinceCode as string,
      dossier_code: dossierCode,
      filing,
      traceparent: input.traceparent ?? null,
      filed_at: now
    }
    await db.query(`INSERT INTO procedure_cases (id, client_id, group_id, group_version, agency_code, province_code, dossier_code,
        idempotency_key, body_hash, filing, chosen, traceparent, filed_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [id, clientId, group.id, group.version, agencyCode, row.province_code, dossierCode, idem.key, idem.bodyHash, filing,
      (filing.procedures ?? []) as string[], row.traceparent, now])
    const stepRows: StepRow[] = steps.map((s) => ({
      step_id: s.id,
      status: 'pending',
      round: 1,
      dossier_code: codes.get(s.id) ?? null,
      portal_status: codes.has(s.id) ? 1 : null,
      failure: null,
      outputs: null,
      deadline_at: null,
      current_attempt: null
    }))
    await db.query(`INSERT INTO procedure_steps (case_id, step_id, status, dossier_code, portal_status)
      SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::smallint[])`,
    [id, stepRows.map((s) => s.step_id), stepRows.map((s) => s.status), stepRows.map((s) => s.dossier_code), stepRows.map((s) => s.portal_status)])
    lc = new LockedCase(db, row, group, stepRows, engine.calendar)
    // the portal: the parent dossier received and in processing; each sub-procedure registered (1) with its planned due date
    const planned = plannedDeadlines(engine, group, steps, now)
    const last = new Date(Math.max(now.getTime(), ...planned.values()))
    lc.portal.dossier(group, undefined, dossierCode, 2, last, 'Tiếp nhận hồ sơ liên thông')
    lc.portal.progress(dossierCode, 4, 'processing', 'Đang xử lý hồ sơ liên thông', now, last)
    for (const s of portalSteps) {
      lc.portal.dossier(group, s, codes.get(s.id) as string, 1, new Date(planned.get(s.id) ?? now.getTime()), 'Đăng ký qua phần mềm liên thông')
    }
    await lc.settle()
    effects = await lc.effects(engine.warn)
    await db.query('COMMIT')
  } catch (err) {
    await db.query('ROLLBACK').catch(() => {})
    // the same key raced us: the other request recorded it first
    if ((err as { code?: string }).code === '23505') {
      const raced = await prior()
      if (raced !== undefined) return raced
      throw new Conflict(`Dossier code ${dossierCode} is already in use: give the interlinked dossier a new code`)
    }
    throw err
  } finally {
    db.release()
  }
  await engine.afterCommit(id, input.traceparent, effects)
  return { kind: 'created', caseId: id, dossierCode, status: lc.row.status }
}

/** When each step is due if every step before it takes its full time (the portal's due dates at filing). */
function plannedDeadlines (engine: ProcedureEngine, group: Group, steps: StepDefinition[], from: Date): Map<string, number> {
  const out = new Map<string, number>()
  const due = (s: StepDefinition): number => {
    const known = out.get(s.id)
    if (known !== undefined) return known
    const start = Math.max(from.getTime(), ...(group.deps.get(s.id) ?? []).map((d) => due(group.step(d))))
    const t = engine.calendar.deadline(new Date(start), s.deadlineWorkingDays).getTime()
    out.set(s.id, t)
    return t
  }
  for (const s of steps) due(s)
  return out
}
