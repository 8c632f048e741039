import type { FastifyInstance } from 'fastify'
import { createDvcqgSimulator, type DvcqgSimulator, type PortalOptions } from '../../src/simulators/index.js'
import type { DeclaredInstance } from '../../src/connectors/declarative.js'
import type { TestLike } from '../helper.js'

export const GRANTS = ['dossier.sync', 'dossier.progress']
/** The agency of the test dossiers (`dossierCode`): what a client posting them must act for. */
export const AGENCIES = ['000.00.01.H22']

/** A portal simulator on a free loopback port; closed at teardown. */
export async function startPortal (t: TestLike, opts: PortalOptions = {}): Promise<DvcqgSimulator & { url: string }> {
  const sim = createDvcqgSimulator(opts)
  await sim.listen(0)
  t.teardown(async () => { await sim.close() })
  return sim as DvcqgSimulator & { url: string }
}

/** A `dvcqg` connector instance for that portal, with quick timeouts and retries for tests. */
export function portalInstance (url: string, config: Record<string, unknown> = {}): DeclaredInstance {
  return {
    id: 'dvcqg-test',
    type: 'dvcqg',
    services: GRANTS,
    provinces: null,
    enabled: true,
    config: {
      baseUrl: url,
      username: 'lienthong',
      password: 'lienthong-sim',
      dstcode: 'G22',
      agencyCode: '000.00.01.H22',
      delivery: { attempts: 5, baseDelayMs: 20, maxDelayMs: 200 },
      runtime: { headersTimeoutMs: 2000, bodyTimeoutMs: 2000, deadlineMs: 3000, breaker: { volumeThreshold: 10000, resetTimeoutMs: 200 } },
      ...config
    }
  }
}

/** Settings of a test gateway whose worker reacts in milliseconds. */
export const FAST_ENV: Record<string, string> = {
  DELIVERY_ORDER_WAIT_MS: '50',
  DELIVERY_BLOCKED_WAIT_MS: '500',
  DELIVERY_LOCK_MS: '5000',
  DELIVERY_RECONCILE_INTERVAL_MS: '60000',
  DELIVERY_RECONCILE_GRACE_MS: '0',
  WORKER_CONCURRENCY: '32',
  // tests run in parallel on small machines: never shed load for event-loop delay here
  MAX_EVENT_LOOP_DELAY_MS: '0'
}

/** Dossier code number `n` (1–9999) of a day. */
export const dossierCode = (n: number, day = '250715'): string => `000.00.01.H22-${day}-${String(n).padStart(4, '0')}`

/** A valid dossier body. */
export function dossier (n: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    code: dossierCode(n),
    procedureCode: '1.000894.000.00.00.H22',
    procedureName: 'Đăng ký kết hôn',
    fieldCode: 'G09-HT01',
    fieldName: 'Hộ tịch',
    agencyCode: '000.00.01.H22',
    applicant: { name: 'Nguyễn Văn An', personalId: '001090012345', phone: '0912345678', address: 'Hà Giang' },
    summary: 'Đăng ký kết hôn',
    receivedAt: '2025-07-15T08:30:00+07:00',
    dueAt: '2025-07-18T17:00:00+07:00',
    status: 2,
    channel: 2,
    documents: [{ code: 'TP1', name: 'Tờ khai đăng ký kết hôn', copyType: 2, fileId: 'f-1' }],
    fees: [{ code: 'LP1', name: 'Lệ phí đăng ký kết hôn', amount: 0 }],
    ...over
  }
}

/** A valid processing step. */
export function step (status: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    handler: 'Trần Thị Bình',
    role: 'Công chức tư pháp - hộ tịch',
    at: '2025-07-15T09:00:00+07:00',
    department: 'Bộ phận một cửa',
    note: `Chuyển trạng thái ${status}`,
    status,
    ...over
  }
}

/** A dossier or progress call, with the purpose every such call carries (the dossier's procedure). */
export async function post (app: FastifyInstance, token: string, url: string, payload: unknown, headers: Record<string, string> = {}) {
  return await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, 'x-purpose': '1.000894', ...headers }, payload: payload as object })
}

/** Polls `check` every 20 ms until it returns true (or throws after `ms`). */
export async function waitFor (check: () => Promise<boolean> | boolean, ms = 20_000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms
  for (;;) {
    if (await check()) return
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Unfinished deliveries with the state of their job, for a failure message. */
export async function diagnose (app: FastifyInstance): Promise<string> {
  const { rows } = await app.db.query(`SELECT id, service, status, seq, attempts_made, in_doubt, lease_until > now() AS leased, next_attempt_at, updated_at
    FROM deliveries WHERE status <> 'delivered' ORDER BY updated_at LIMIT 5`)
  const states = await Promise.all(rows.map(async (r: { id: string }) => {
    const state = await app.queues.deliveries.getJobState(r.id)
    const hash = await (app.redis.client as unknown as { hgetall: (k: string) => Promise<Record<string, string>> }).hgetall(app.queues.deliveries.toKey(r.id))
    return { state, hash: Object.fromEntries(Object.entries(hash).map(([k, v]) => [k, v.slice(0, 60)])) }
  }))
  const reconcile = await app.queues.reconcile().catch((err: Error) => ({ error: err.message, stack: err.stack?.split('\n').slice(0, 4).join(' | ') }))
  const worker = app.queues.deliveryWorker
  const jobs = await app.queues.deliveries.getJobCounts().catch((err: Error) => err.message)
  return JSON.stringify({
    counts: await statusCounts(app),
    now: new Date(),
    reconcile,
    jobs,
    worker: worker !== undefined ? { running: worker.isRunning(), paused: worker.isPaused() } : undefined,
    stuck: rows.map((r, i) => ({ ...r, job: states[i] }))
  })
}

/** Deliveries per status in the gateway's database. */
export async function statusCounts (app: FastifyInstance): Promise<Record<string, number>> {
  const { rows } = await app.db.query<{ status: string, n: number }>('SELECT status, count(*)::int AS n FROM deliveries GROUP BY status')
  return Object.fromEntries(rows.map((r) => [r.status, r.n]))
}
