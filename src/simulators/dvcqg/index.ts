import type { FastifyInstance } from 'fastify'
import { bodyOf } from '../replies.js'
import { DEFAULT_SEED } from '../seed/prng.js'
import { createSimulator, type Simulator, type SimulatorOptions } from '../simulator.js'
import { Portal, type PortalOptions } from './portal.js'
import type { OnlineSubmission } from './feed.js'

export { DvcqgErrorCode, RETRYABLE_CODES, type DvcqgAnswer } from './codes.js'
export { Portal, DVCQG_DEFAULT_CREDENTIALS, DEFAULT_SESSION_TTL_MS, type PortalOptions, type PortalStats } from './portal.js'
export { contentHash, type Applied, type PortalService, type VersionCount } from './store.js'
export { PortalFeed, type OnlineSubmission, type PortalChange } from './feed.js'

export interface DvcqgSimulatorOptions extends SimulatorOptions, PortalOptions {}

export interface DvcqgSimulator extends Simulator {
  /** What arrived (`received`, `countApplied`, `appliedVersions`, `duplicates`) and portal faults (`forceErrors`, `expireSessions`). */
  readonly portal: Portal
}

const forceErrorsSchema = {
  type: 'object',
  required: ['count'],
  additionalProperties: false,
  properties: {
    count: { type: 'integer', minimum: 0 },
    errorCode: { type: 'integer', not: { const: 0 } },
    message: { type: 'string' }
  }
} as const

function routes (app: FastifyInstance, portal: Portal): void {
  app.post('/api/auth', async (req) => portal.authenticate(req.headers.dstcode, bodyOf(req)))
  app.post('/api/integration', async (req) => portal.integrate(req.headers.dstcode, bodyOf(req)))

  app.get('/_sim/received', async (req) => {
    const { maHoSo } = req.query as { maHoSo?: string }
    const { dossiers, progress } = portal.received(maHoSo)
    return {
      counts: { dossiers: dossiers.length, progress: progress.length },
      versions: maHoSo === undefined ? undefined : portal.appliedVersions(maHoSo),
      duplicates: portal.duplicates(),
      dossiers,
      progress
    }
  })
  app.delete('/_sim/received', async () => {
    portal.clear()
    return { ok: true }
  })
  app.post('/_sim/portal/force-errors', { schema: { body: forceErrorsSchema } }, async (req) => {
    const { count, errorCode, message } = req.body as { count: number, errorCode?: number, message?: string }
    portal.forceErrors(count, errorCode, message)
    return { ok: true }
  })
  app.post('/_sim/portal/expire-sessions', async () => {
    portal.expireSessions()
    return { ok: true }
  })
  app.get('/_sim/portal/stats', async () => portal.stats())

  // The change feed: what citizens do on the portal, driven by tests, benchmarks and demos.
  app.post('/_sim/feed/submissions', async (req) => portal.feed.submitOnline(bodyOf(req) as unknown as OnlineSubmission))
  app.post('/_sim/feed/status', async (req, reply) => {
    const { maHoSo, trangThai, ghiChu } = bodyOf(req) as { maHoSo?: unknown, trangThai?: unknown, ghiChu?: unknown }
    const change = typeof maHoSo === 'string' && typeof trangThai === 'number'
      ? portal.feed.changeStatus(maHoSo, trangThai, typeof ghiChu === 'string' ? ghiChu : undefined)
      : undefined
    return change ?? await reply.code(404).send({ error: 'NOT_FOUND' })
  })
  app.get('/_sim/feed', async () => ({ size: portal.feed.size }))
}

/**
 * The National Public Service Portal (Cổng DVCQG) as a dossier sync target: `POST /api/auth` and
 * `POST /api/integration` (services `DongBoHoSoMC`, `CapNhatTienDoHoSoMC`); see README.md for codes.
 */
export function createDvcqgSimulator (opts: DvcqgSimulatorOptions = {}): DvcqgSimulator {
  const seed = opts.seed ?? DEFAULT_SEED
  const portal = new Portal(opts)
  const sim = createSimulator('dvcqg', seed, (app) => routes(app, portal), opts)
  return Object.assign(sim, { portal })
}
