const GEOHASH_12 = /^[0-9b-hjkmnp-z]{12}$/
const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz'

/** The unique land-parcel id: a 12-character GeoHash (WGS84) of the parcel's representative point. */
export const isLandParcelId = (value: string): boolean => GEOHASH_12.test(value)

/** Encodes a WGS84 point as a GeoHash of the given length (used by the land simulator's seed data). */
export function encodeGeohash (lat: number, lon: number, length = 12): string {
  let latMin = -90; let latMax = 90; let lonMin = -180; let lonMax = 180
  let out = ''; let bits = 0; let ch = 0; let even = true
  while (out.length < length) {
    if (even) {
      const mid = (lonMin + lonMax) / 2
      if (lon >= mid) { ch = (ch << 1) | 1; lonMin = mid } else { ch = ch << 1; lonMax = mid }
    } else {
      const mid = (latMin + latMax) / 2
      if (lat >= mid) { ch = (ch << 1) | 1; latMin = mid } else { ch = ch << 1; latMax = mid }
    }
    even = !even
    if (++bits === 5) { out += BASE32[ch]; bits = 0; ch = 0 }
  }
  return out
}
