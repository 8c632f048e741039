import { isLandParcelId } from '../../identifiers/index.js'
import { bodyOf, invalidRequest, notFound, stringField } from '../replies.js'
import { DEFAULT_SEED } from '../seed/prng.js'
import { createSimulator, type Simulator, type SimulatorOptions } from '../simulator.js'
import { generateParcels, type Bounds, type Parcel } from './data.js'

export type { Owner, Parcel, Bounds } from './data.js'
export { PROVINCE_BOUNDS } from './data.js'

export interface LandSimulatorOptions extends SimulatorOptions {
  /** 2025 province code of the land database, e.g. `01` or `79`. */
  provinceCode: string
  /** Where parcels lie; required for provinces other than 01 and 79. */
  bounds?: Bounds
}

export interface LandSimulator extends Simulator {
  readonly provinceCode: string
  readonly parcels: readonly Parcel[]
}

/** A map sheet or parcel number, given as digits (string) or a non-negative integer, as canonical digits. */
function numberField (value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return String(value)
  if (typeof value === 'string' && /^\d{1,6}$/.test(value)) return String(Number(value))
  return undefined
}

/**
 * A provincial land database: `POST /api/parcels/lookup` with `{ parcelId }` (GeoHash-12) or
 * `{ communeCode, mapSheet, parcelNumber }` → 200 parcel | 404 `{ error: 'NOT_FOUND' }` | 400 `INVALID_REQUEST`.
 */
export function createLandSimulator (opts: LandSimulatorOptions): LandSimulator {
  const seed = opts.seed ?? DEFAULT_SEED
  const { provinceCode } = opts
  const parcels = generateParcels(provinceCode, seed, opts.bounds)
  const byId = new Map(parcels.map((p) => [p.parcelId, p]))
  const byNumber = new Map(parcels.map((p) => [`${p.communeCode}/${p.mapSheet}/${p.parcelNumber}`, p]))
  const sim = createSimulator(`land-${provinceCode}`, seed, (app) => {
    app.post('/api/parcels/lookup', async (req, reply) => {
      const body = bodyOf(req)
      if (body.parcelId !== undefined) {
        const parcelId = stringField(body, 'parcelId')
        if (parcelId === undefined || !isLandParcelId(parcelId)) return invalidRequest(reply, 'parcelId must be a 12-character GeoHash')
        return byId.get(parcelId) ?? notFound(reply)
      }
      const communeCode = stringField(body, 'communeCode')
      const mapSheet = numberField(body.mapSheet)
      const parcelNumber = numberField(body.parcelNumber)
      if (communeCode === undefined || !/^\d{5}$/.test(communeCode) || mapSheet === undefined || parcelNumber === undefined) {
        return invalidRequest(reply, 'expected { parcelId } or { communeCode (5 digits), mapSheet, parcelNumber }')
      }
      return byNumber.get(`${communeCode}/${mapSheet}/${parcelNumber}`) ?? notFound(reply)
    })
  }, opts)
  return Object.assign(sim, { provinceCode, parcels })
}
