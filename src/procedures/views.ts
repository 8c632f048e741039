import type pg from 'pg'
import { badCursor, pageOf, type Page, type PageRequest } from '../lib/page.js'
import { parseTraceparent } from '../tracing/trace-context.js'
import type { GroupStore } from './groups.js'

/** Identifiers of people shown masked (domain.md §5.1: `079******234`): PIN, BHXH code, BHYT card, old CMND. */
const IDENTIFIER = /^(?:\d{9}|\d{10}|\d{12}|[A-Z]{2}[1-5]\d{12})$/

export function maskIdentifiers (value: unknown): unknown {
  if (typeof value === 'string') return IDENTIFIER.test(value) ? `${value.slice(0, 3)}${'*'.repeat(value.length - 6)}${value.slice(-3)}` : value
  if (Array.isArray(value)) return value.map(maskIdentifiers)
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskIdentifiers(v)]))
  return value
}

const iso = (d: Date | null | undefined): string | undefined => d === null || d === undefined ? undefined : d.toISOString()
const clean = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T

interface CaseDbRow {
  id: string,
  client_id: string,
  group_id: string,
  group_version: number,
  status: string,
  agency_code: string,
  province_code: string,
  dossier_code: string,
  chosen: string[],
  traceparent: string | null,
  overdue: boolean,
  filed_at: Date,
  finished_at: Date | null,
  cancel_reason: string | null
}

/** The portal's view of a dossier: the status last accepted for it, and the last one the portal confirmed. */
const PORTAL = `
  SELECT x.code, x.status AS accepted, (SELECT (d.payload->>'status')::int FROM deliveries d WHERE d.dossier_code = x.code AND d.status = 'delivered'
    ORDER BY d.seq DESC LIMIT 1) AS delivered, (SELECT count(*)::int FROM deliveries d WHERE d.dossier_code = x.code AND d.status <> 'delivered') AS pending
  FROM dossiers x WHERE x.code = ANY($1::text[])`

/**
 * One case as the API shows it: the graph (each step with what it depends on), each step's status, attempts,
 * outputs with identifiers masked, deadline, and the sub-procedure's dossier with its status on the portal.
 * Undefined when the case is unknown, or someone else's when `clientId` is given.
 */
export async function caseView (db: pg.Pool, groups: GroupStore, id: string, clientId?: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await db.query<CaseDbRow>(`SELECT id, client_id, group_id, group_version, status, agency_code, province_code, dossier_code,
    chosen, traceparent, overdue, filed_at, finished_at, cancel_reason FROM procedure_cases WHERE id = $1${clientId !== undefined ? ' AND client_id = $2' : ''}`,
  clientId !== undefined ? [id, clientId] : [id])
  const c = rows[0]
  if (c === undefined) return undefined
  const group = await groups.version(c.group_id, c.group_version)
  const steps = (await db.query(`
    SELECT s.*, COALESCE((SELECT json_agg(json_build_object('n', a.n, 'round', a.round, 'at', a.started_at, 'outcome', a.outcome,
      'durationMs', a.duration_ms, 'upstreamStatus', a.upstream_status, 'error', a.error) ORDER BY a.id)
      FROM procedure_step_attempts a WHERE a.case_id = s.case_id AND a.step_id = s.step_id), '[]') AS attempts
    FROM procedure_steps s WHERE s.case_id = $1`, [id])).rows
  const codes = [c.dossier_code, ...steps.map((s) => s.dossier_code).filter((x) => x !== null)]
  const portal = new Map((await db.query<{ code: string, accepted: number, delivered: number | null, pending: number }>(PORTAL, [codes])).rows.map((r) => [r.code, r]))
  const portalOf = (code: string | null): Record<string, unknown> | undefined => {
    if (code === null) return undefined
    const p = portal.get(code)
    return clean({ code, status: p?.accepted, deliveredStatus: p?.delivered ?? undefined, pendingUpdates: p?.pending ?? 0 })
  }
  const byId = new Map(steps.map((s) => [s.step_id as string, s]))
  return clean({
    id: c.id,
    group: { id: group.id, version: group.version, title: group.def.title },
    status: c.status,
    overdue: c.overdue,
    agencyCode: c.agency_code,
    provinceCode: c.province_code,
    procedures: c.chosen,
    dossier: portalOf(c.dossier_code),
    traceId: parseTraceparent(c.traceparent ?? undefined)?.traceId,
    filedAt: iso(c.filed_at),
    finishedAt: iso(c.finished_at),
    cancelReason: c.cancel_reason ?? undefined,
    steps: group.def.steps.filter((d) => byId.has(d.id)).map((d) => {
      const s = byId.get(d.id)
      return clean({
        id: d.id,
        title: d.title,
        service: d.service,
        procedureCode: d.procedureCode,
        dependsOn: [...group.deps.get(d.id) ?? []],
        status: s.status,
        round: s.round,
        inDoubt: s.in_doubt,
        attempts: (s.attempts as Array<Record<string, unknown>>).map((a) => clean({ ...a, at: new Date(a.at as string).toISOString() })),
        outputs: s.outputs !== null ? maskIdentifiers(s.outputs) : undefined,
        missing: s.missing ?? undefined,
        failure: s.failure ?? undefined,
        reason: s.reason ?? undefined,
        lastError: s.last_error ?? undefined,
        readyAt: iso(s.ready_at),
        startedAt: iso(s.started_at),
        finishedAt: iso(s.finished_at),
        deadlineAt: iso(s.deadline_at),
        supplementDueAt: s.status === 'awaiting-supplement' ? iso(s.next_attempt_at) : undefined,
        nextAttemptAt: s.status === 'retrying' ? iso(s.next_attempt_at) : undefined,
        overdue: s.overdue,
        dossier: portalOf(s.dossier_code)
      })
    })
  })
}

export interface CaseFilter { status?: string, group?: string, province?: string, from?: string, to?: string }

/** The sort key of a case in the list: its filing time to the microsecond (as PostgreSQL keeps it) and its id. */
const CASE_KEY = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/

/** Cases, newest first, one page of the one pagination scheme (src/lib/page.ts); 400 at /query/cursor for a cursor not ours. */
export async function listCases (db: pg.Pool, f: CaseFilter, page: PageRequest): Promise<Page<Record<string, unknown>>> {
  const params: unknown[] = []
  const conds: string[] = []
  const add = (sql: string, v: unknown): void => { params.push(v); conds.push(sql.replaceAll('?', `$${params.length}`)) }
  if (f.status !== undefined) add('status = ?', f.status)
  if (f.group !== undefined) add('group_id = ?', f.group)
  if (f.province !== undefined) add('province_code = ?', f.province)
  if (f.from !== undefined) add('filed_at >= ?', f.from)
  if (f.to !== undefined) add('filed_at < ?', f.to)
  if (page.after !== undefined) {
    const m = CASE_KEY.exec(page.after)
    if (m === null) throw badCursor()
    params.push(m[1], m[2])
    conds.push(`(filed_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`)
  }
  params.push(page.limit + 1)
  const { rows } = await db.query<CaseDbRow & { filed_key: string }>(`SELECT id, client_id, group_id, group_version, status, agency_code, province_code, dossier_code, chosen,
      traceparent, overdue, filed_at, finished_at, cancel_reason,
      to_char(filed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS filed_key
    FROM procedure_cases ${conds.length > 0 ? `WHERE ${conds.join(' AND ')}` : ''}
    ORDER BY filed_at DESC, id DESC LIMIT $${params.length}`, params)
  return pageOf(rows, page.limit, (c) => `${c.filed_key}|${c.id}`, (c) => clean({
    id: c.id,
    clientId: c.client_id,
    group: c.group_id,
    groupVersion: c.group_version,
    status: c.status,
    overdue: c.overdue,
    agencyCode: c.agency_code,
    provinceCode: c.province_code,
    dossierCode: c.dossier_code,
    procedures: c.chosen,
    filedAt: iso(c.filed_at),
    finishedAt: iso(c.finished_at)
  }))
}
