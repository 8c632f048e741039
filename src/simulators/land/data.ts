import { encodeGeohash } from '../../identifiers/index.js'
import { livingAdultsOf } from '../citizen/data.js'
import { province } from '../seed/communes.js'
import { stream, type Prng } from '../seed/prng.js'
import { activeOrganisationsOf } from '../tax/data.js'

export type Owner = { personalId: string, name: string } | { taxCode: string, name: string }

/** A record of a provincial land database, in the shape `POST /api/parcels/lookup` answers. */
export interface Parcel {
  /** GeoHash-12 of the parcel's representative point (the unique land-parcel id). */
  parcelId: string
  communeCode: string
  provinceCode: string
  /** Cadastral map sheet number (số tờ bản đồ), digits as a string. */
  mapSheet: string
  /** Parcel number on that sheet (số thửa), digits as a string. */
  parcelNumber: string
  areaM2: number
  landUse: string
  owners: Owner[]
  certificateNo: string
}

export interface Bounds { lat: [number, number], lon: [number, number] }

/** Rough bounding boxes of the inner cities, where the generated parcels lie. */
export const PROVINCE_BOUNDS: Readonly<Record<string, Bounds>> = {
  '01': { lat: [20.95, 21.10], lon: [105.75, 105.90] },
  79: { lat: [10.70, 10.85], lon: [106.60, 106.75] }
}

export const PARCELS_PER_PROVINCE = 2000

/** Land-use codes (Land Law 2024 categories) with weights and area ranges in m². */
const LAND_USES: ReadonlyArray<[code: string, weight: number, min: number, max: number]> = [
  ['ODT', 60, 30, 300], // urban residential
  ['ONT', 10, 100, 800], // rural residential
  ['TMD', 8, 100, 3000], // commercial and services
  ['CLN', 10, 300, 3000], // perennial crops
  ['LUC', 12, 500, 5000] // specialised rice land
]

function landUse (rng: Prng): [string, number] {
  let r = rng.int(1, 100)
  for (const [code, weight, min, max] of LAND_USES) {
    r -= weight
    if (r <= 0) return [code, Math.round(rng.int(min * 10, max * 10)) / 10]
  }
  return ['ODT', 100]
}

const SERIES = ['CS', 'CT', 'DA', 'DB', 'DC', 'DD', 'DE']

/**
 * The land database of one province: parcels at random points of its bounding box, numbered per
 * (commune, map sheet), owned by citizens of the population database (sometimes two) or by organisations
 * of the tax registry.
 */
export function generateParcels (provinceCode: string, seed: number, bounds?: Bounds, count = PARCELS_PER_PROVINCE): Parcel[] {
  const box = bounds ?? PROVINCE_BOUNDS[provinceCode]
  if (box === undefined) throw new Error(`No bounding box for province ${provinceCode}: pass bounds`)
  const { communes } = province(provinceCode)
  const rng = stream(seed, `land-${provinceCode}`)
  const people = livingAdultsOf(seed)
  const organisations = activeOrganisationsOf(seed)
  const ids = new Set<string>()
  const lastNumber = new Map<string, number>()
  const out: Parcel[] = []
  while (out.length < count) {
    const lat = box.lat[0] + rng.next() * (box.lat[1] - box.lat[0])
    const lon = box.lon[0] + rng.next() * (box.lon[1] - box.lon[0])
    const parcelId = encodeGeohash(lat, lon, 12)
    if (ids.has(parcelId)) continue
    ids.add(parcelId)
    const communeCode = rng.pick(communes).code
    const mapSheet = String(rng.int(1, 60))
    const key = `${communeCode}/${mapSheet}`
    const number = (lastNumber.get(key) ?? 0) + rng.int(1, 5)
    lastNumber.set(key, number)
    const [use, areaM2] = landUse(rng)
    let owners: Owner[]
    if (rng.chance(0.15)) {
      const org = rng.pick(organisations)
      owners = [{ taxCode: org.taxCode, name: org.name }]
    } else {
      const first = rng.pick(people)
      owners = [{ personalId: first.personalId, name: first.fullName }]
      const second = rng.pick(people)
      if (rng.chance(0.3) && second.personalId !== first.personalId) owners.push({ personalId: second.personalId, name: second.fullName })
    }
    out.push({
      parcelId,
      communeCode,
      provinceCode,
      mapSheet,
      parcelNumber: String(number),
      areaM2,
      landUse: use,
      owners,
      certificateNo: `${rng.pick(SERIES)} ${rng.digits(6)}`
    })
  }
  return out
}
