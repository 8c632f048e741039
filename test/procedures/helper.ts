import { readFileSync } from 'node:fs'
import { fromRoot } from '../../src/lib/repo-root.js'
import type { FastifyInstance } from 'fastify'
import { build, tokenFor, type TestLike } from '../helper.js'
import { FAST_ENV, portalInstance, post, startPortal, waitFor } from '../deliveries/helper.js'
import type { DeclaredInstance } from '../../src/connectors/declarative.js'
import {
  createCivilStatusSimulator, createPopulationSimulator, createResidenceSimulator, createSocialInsuranceSimulator,
  livingCitizens, type DvcqgSimulator, type NationalSimulator
} from './sims.js'

export { post, waitFor }

export interface Systems {
  civil: NationalSimulator
  population: NationalSimulator
  residence: NationalSimulator
  insurance: NationalSimulator
  portal: DvcqgSimulator & { url: string }
}

/** The four national systems and the portal on free loopback ports; closed at teardown. */
export async function startSystems (t: TestLike, latencyMs = 5): Promise<Systems> {
  const make = [createCivilStatusSimulator, createPopulationSimulator, createResidenceSimulator, createSocialInsuranceSimulator]
  const [civil, population, residence, insurance] = make.map((f) => f({ latencyMs }))
  for (const s of [civil, population, residence, insurance]) {
    await s.listen(0)
    t.teardown(async () => { await s.close() })
  }
  return { civil, population, residence, insurance, portal: await startPortal(t) }
}

const RUNTIME = { retries: { attempts: 0 }, headersTimeoutMs: 2000, bodyTimeoutMs: 2000, deadlineMs: 3000, breaker: { volumeThreshold: 10000, resetTimeoutMs: 200 } }

/** rest-json instances of the step services, pointed at the systems, and the portal's dvcqg instance. */
export function systemConnectors (s: Systems): DeclaredInstance[] {
  const rest = (id: string, url: string, ops: Record<string, string>): DeclaredInstance => ({
    id,
    type: 'rest-json',
    services: Object.keys(ops),
    provinces: null,
    enabled: true,
    config: { baseUrl: url, operations: Object.fromEntries(Object.entries(ops).map(([k, path]) => [k, { path }])), runtime: RUNTIME }
  })
  return [
    rest('civil-status', s.civil.url as string, { 'civil-status.birth.register': '/api/hotich/khai-sinh', 'civil-status.death.register': '/api/hotich/khai-tu' }),
    rest('population-pin', s.population.url as string, { 'population.pin.issue': '/api/dancu/cap-so-dinh-danh' }),
    rest('residence', s.residence.url as string, { 'residence.permanent.register': '/api/cutru/dang-ky-thuong-tru', 'residence.permanent.deregister': '/api/cutru/xoa-dang-ky-thuong-tru' }),
    rest('social-insurance', s.insurance.url as string, {
      'insurance.card.issue': '/api/bhxh/the-bhyt-tre-em', 'insurance.funeral.allowance': '/api/bhxh/tro-cap-mai-tang', 'insurance.survivor.benefit': '/api/bhxh/tu-tuat'
    }),
    portalInstance(s.portal.url)
  ]
}

/** Settings of a test gateway whose workers react in milliseconds. */
export const PROC_ENV: Record<string, string> = { ...FAST_ENV, PROCEDURE_SWEEP_INTERVAL_MS: '60000', PROCEDURE_SWEEP_GRACE_MS: '0' }

/** A gateway with workers, the systems, and a system client granted filings. */
export async function gateway (t: TestLike, opts: { latencyMs?: number, env?: Record<string, string>, workers?: boolean } = {}): Promise<{ app: FastifyInstance, sys: Systems, token: string }> {
  const sys = await startSystems(t, opts.latencyMs)
  const app = await build(t, { connectors: systemConnectors(sys), workers: opts.workers ?? true, env: { ...PROC_ENV, ...opts.env } })
  const token = await tokenFor(app, ['system'], ['procedure.filing'], ['000.00.01.H22'])
  return { app, sys, token }
}

const pad = (n: number, w = 4): string => String(n).padStart(w, '0')
const today = (): string => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10)
const daysAgo = (n: number): string => new Date(Date.now() + 7 * 3600_000 - n * 86_400_000).toISOString().slice(0, 10)

/** Parent dossier code `n` of the test agency (000.00.01.H22), received on 15/7/2025. */
export const parentCode = (n: number): string => `000.00.01.H22-250715-${pad(n)}`

const declarant = { fullName: 'Nguyễn Văn An', personalId: '001090012345', relationship: 'cha', phone: '0912345678' }

/** A valid birth filing (form 01). */
export function birthFiling (n: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dossierCode: parentCode(n),
    agencyCode: '000.00.01.H22',
    provinceCode: '01',
    communeCode: '00070',
    child: { fullName: `Nguyễn Minh Khang ${n}`, dateOfBirth: daysAgo(3), gender: 'male', ethnicity: 'Kinh', nationality: 'VN', placeOfBirth: { communeCode: '00070', detail: 'Bệnh viện Phụ sản Hà Nội' } },
    mother: { fullName: 'Trần Thị Bình', dateOfBirth: '1995-04-12', personalId: '001195012345' },
    father: { fullName: 'Nguyễn Văn An', dateOfBirth: '1990-02-01', personalId: '001090012345' },
    declarant,
    residence: { communeCode: '00070', address: '12 Hàng Trống, Phường Hoàn Kiếm', householdHeadPersonalId: '001090012345', householdHeadConsent: true },
    insurance: { initialCareFacility: '01001' },
    documents: [{ code: 'GCS', name: 'Giấy chứng sinh', fileId: `gcs-${n}` }],
    ...over
  }
}

/** A valid death filing (form 02) for the `n`-th living citizen of the seed; `procedures` chooses the optional ones. */
export function deathFiling (n: number, procedures: string[] = [], over: Record<string, unknown> = {}): Record<string, unknown> {
  const p = livingCitizens()[n]
  return {
    dossierCode: parentCode(n),
    agencyCode: '000.00.01.H22',
    provinceCode: '01',
    communeCode: '00070',
    procedures,
    deceased: { fullName: p.fullName, dateOfBirth: p.dateOfBirth, gender: p.gender, personalId: p.personalId },
    death: { date: today(), place: 'Tại nhà', cause: 'Tuổi cao', noticeNo: `GBT-${n}` },
    declarant: { ...declarant, relationship: 'con' },
    residence: { communeCode: p.permanentAddress.communeCode, address: p.permanentAddress.detail },
    beneficiary: { fullName: 'Nguyễn Văn An', personalId: '001090012345', relationship: 'con', relativesConfirmed: true },
    documents: [{ code: 'GBT', name: 'Giấy báo tử', fileId: `gbt-${n}` }],
    ...over
  }
}

export async function fileCase (app: FastifyInstance, token: string, group: string, filing: unknown, headers: Record<string, string> = {}) {
  return await post(app, token, `/v1/procedures/${group}`, filing, headers)
}

export async function getCase (app: FastifyInstance, token: string, id: string): Promise<Record<string, any>> {
  const res = await app.inject({ method: 'GET', url: `/v1/procedures/cases/${id}`, headers: { authorization: `Bearer ${token}` } })
  if (res.statusCode !== 200) throw new Error(`GET case ${id}: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** Waits until the case is in one of these statuses (and its portal updates are all delivered, when asked). */
export async function waitForCase (app: FastifyInstance, token: string, id: string, statuses: string[], opts: { portal?: boolean, ms?: number } = {}): Promise<Record<string, any>> {
  let last: Record<string, any> = {}
  await waitFor(async () => {
    last = await getCase(app, token, id)
    if (!statuses.includes(last.status)) return false
    if (opts.portal !== true) return true
    const dossiers = [last.dossier, ...last.steps.map((s: any) => s.dossier)].filter((d) => d !== undefined)
    return dossiers.every((d: any) => d.pendingUpdates === 0)
  }, opts.ms ?? 30_000, `case ${id} in ${statuses.join('|')}`).catch((err) => { throw new Error(`${(err as Error).message}: ${JSON.stringify(last)}`) })
  return last
}

/** Executions at a system per (case, step), over all rounds. */
export function executionsOf (sim: NationalSimulator, caseId: string, stepId: string): number {
  let n = 0
  for (const [key, count] of sim.ledger.executed()) if (key.startsWith(`${caseId}.${stepId}.`)) n += count
  return n
}

/** The group of `config/procedures/<file>` changed by `edit` (e.g. quicker retries), saved through the admin API. */
export async function putGroup (app: FastifyInstance, file: string, edit: (g: any) => void): Promise<void> {
  const g = JSON.parse(readFileSync(fromRoot(`config/procedures/${file}.json`), 'utf8'))
  edit(g)
  const admin = await tokenFor(app, ['admin'])
  const res = await app.inject({ method: 'PUT', url: `/v1/admin/procedure-groups/${g.id as string}`, headers: { authorization: `Bearer ${admin}` }, payload: g })
  if (res.statusCode !== 200) throw new Error(`PUT group: ${res.statusCode} ${res.body}`)
}

/** Quick retries for every step of a group (tests). */
export const quickRetries = (g: any): void => {
  for (const s of g.steps) s.onFailure = { ...s.onFailure, retry: { attempts: 30, baseDelayMs: 30, maxDelayMs: 150 } }
}
