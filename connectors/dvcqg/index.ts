import { contentHash, defineConnectorType, UpstreamFailure, type CallContext } from '../../src/connectors/contract.js'
import { dvcqgConfigSchema, type DvcqgConfig } from './config-schema.js'
import { toHoSo, toTienDo, type MappingOptions } from './mapping.js'
import { PortalClient, type PortalAnswer } from './portal-client.js'
import { toFeedEvent } from './events.js'

type Json = Record<string, unknown>

/** What the gateway's delivery processor hands over (src/deliveries/processor.ts, DeliveryPayload). */
type Payload =
  | { kind: 'dossier', dossier: Json, exists: boolean, inDoubt: boolean }
  | { kind: 'progress', dossierCode: string, step: Json, inDoubt: boolean }

interface Ack { applied: 'sent' | 'already', upstreamCode?: string, isUpdating?: boolean }

/** SHA-256 of an item's canonical JSON: equal for the same dossier version or the same step. */
export const itemHash = contentHash

const asTrueFalse = (b: boolean): string => b ? 'True' : 'False'

/**
 * `dvcqg`: dossier sync to the National Public Service Portal (Cổng DVCQG): `DongBoHoSoMC` (a dossier version,
 * `isUpdating` when the portal already holds it) and `CapNhatTienDoHoSoMC` (a processing step), through the
 * portal's session envelope. After an attempt that may have reached the portal, it asks the portal
 * (`lookupService`, default `TraCuuHoSo`) whether the item is already there before sending it again.
 */
export default defineConnectorType<DvcqgConfig>({
  type: 'dvcqg',
  version: '1.0.0',
  description: 'National Public Service Portal (DVCQG): DongBoHoSoMC and CapNhatTienDoHoSoMC with session login and dstcode; its change feed (feedService) as dossier events',
  services: ['dossier.sync', 'dossier.progress', 'dossier.events'],
  configSchema: dvcqgConfigSchema,
  secretFields: ['/password'],
  origin: (config) => new URL(config.baseUrl).origin,
  create (config) {
    const portal = new PortalClient(config)
    const codes = portal.codes
    const mapping: MappingOptions = {
      applicantTypes: config.applicantTypes ?? { person: '1', organisation: '2' },
      fileUrlBase: config.fileUrlBase
    }
    const lookupService = config.lookupService ?? 'TraCuuHoSo'
    const feedService = config.feedService ?? 'LayDanhSachThayDoiHoSo'

    const check = (answer: PortalAnswer, what: string): Ack => {
      if (answer.error_code === 0) return { applied: 'sent', upstreamCode: '0' }
      throw portal.failure(answer, what)
    }

    /** What the portal holds of a dossier (its current version and its steps), or undefined when it has none. */
    async function held (maHoSo: string, ctx: CallContext): Promise<{ dossier: Json, steps: Json[] } | undefined> {
      const answer = await portal.call(lookupService, { MaHoSo: maHoSo }, ctx)
      if (answer.error_code === codes.dossierNotFound) return undefined
      if (answer.error_code !== 0) throw portal.failure(answer, lookupService)
      const first = (Array.isArray(answer.result) ? answer.result[0] : undefined) as Json | undefined
      if (first === undefined || typeof first.HoSo !== 'object' || first.HoSo === null) {
        throw new UpstreamFailure('error', `${lookupService}: unexpected answer`, { retryable: true, upstreamStatus: 200 })
      }
      return { dossier: first.HoSo as Json, steps: Array.isArray(first.DanhSachTienDo) ? first.DanhSachTienDo as Json[] : [] }
    }

    async function syncDossier (p: Extract<Payload, { kind: 'dossier' }>, ctx: CallContext): Promise<Ack> {
      const item = toHoSo(p.dossier, mapping)
      const maHoSo = String(item.MaHoSo)
      let isUpdating = p.exists
      if (p.inDoubt && lookupService !== '') {
        const state = await held(maHoSo, ctx)
        if (state !== undefined && itemHash(state.dossier) === itemHash(item)) return { applied: 'already', upstreamCode: '0' }
        isUpdating = state !== undefined
      }
      const send = async (updating: boolean): Promise<PortalAnswer> =>
        await portal.call('DongBoHoSoMC', { isUpdating: asTrueFalse(updating), data: [item] }, ctx)
      let answer = await send(isUpdating)
      if (answer.error_code === codes.dossierExists && !isUpdating) {
        // Without a lookup, "exists" after a doubtful create means that create reached the portal.
        if (p.inDoubt && lookupService === '') return { applied: 'already', upstreamCode: String(answer.error_code) }
        isUpdating = true
        answer = await send(true)
      } else if (answer.error_code === codes.dossierNotFound && isUpdating) {
        isUpdating = false
        answer = await send(false)
      }
      return { ...check(answer, 'DongBoHoSoMC'), isUpdating }
    }

    async function syncProgress (p: Extract<Payload, { kind: 'progress' }>, ctx: CallContext): Promise<Ack> {
      const item = toTienDo(p.dossierCode, p.step)
      if (p.inDoubt && lookupService !== '') {
        const state = await held(p.dossierCode, ctx)
        const hash = itemHash(item)
        if (state !== undefined && state.steps.some((s) => itemHash(s) === hash)) return { applied: 'already', upstreamCode: '0' }
      }
      return check(await portal.call('CapNhatTienDoHoSoMC', { data: [item] }, ctx), 'CapNhatTienDoHoSoMC')
    }

    return {
      async deliver (serviceId, payload, ctx) {
        const p = payload as unknown as Payload
        if (serviceId === 'dossier.sync' && p.kind === 'dossier') return await syncDossier(p, ctx)
        if (serviceId === 'dossier.progress' && p.kind === 'progress') return await syncProgress(p, ctx)
        throw new UpstreamFailure('rejected', `dvcqg cannot deliver ${serviceId}`, { retryable: false })
      },
      async pull (serviceId, request, ctx) {
        if (serviceId !== 'dossier.events') throw new UpstreamFailure('rejected', `dvcqg has no feed ${serviceId}`, { retryable: false })
        const answer = await portal.call(feedService, { SauMaThayDoi: request.cursor, SoLuong: request.limit }, ctx)
        if (answer.error_code !== 0) throw portal.failure(answer, feedService)
        const items = Array.isArray(answer.result) ? answer.result as Json[] : []
        const last = items.length > 0 ? String(items[items.length - 1].MaThayDoi) : request.cursor
        return { events: items.map(toFeedEvent), cursor: typeof answer.MaThayDoiCuoi === 'string' ? answer.MaThayDoiCuoi : last }
      },
      async probe (ctx) {
        await portal.call(lookupService !== '' ? lookupService : 'DongBoHoSoMC', { MaHoSo: '' }, ctx)
      }
    }
  }
})
