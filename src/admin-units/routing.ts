/**
 * Today's province for routing a request (issue 6 §4): instances that serve provinces are chosen by the
 * province as of today. An old code with a date before 2025-07-01 is translated first (`translated: true`,
 * for `meta.resolved`). A commune split between several new communes is `ambiguous` (the gateway answers
 * 422 with the candidates) even though all candidates lie in one province: the caller's record is about a
 * commune, and picking one would be a guess.
 */
import { resolveItem } from './resolve.js'
import type { UnitStore } from './store.js'
import type { ResolveInput, RoutingInput, RoutingResult } from './types.js'

export function routeProvince (store: UnitStore, input: RoutingInput, today: string): RoutingResult {
  const item: ResolveInput = {}
  if (input.provinceCode !== undefined) item.provinceCode = input.provinceCode
  if (input.districtCode !== undefined) item.districtCode = input.districtCode
  if (input.communeCode !== undefined) item.communeCode = input.communeCode
  if (input.asOf !== undefined) item.asOf = input.asOf
  const resolution = resolveItem(store, item, today)
  switch (resolution.status) {
    case 'resolved':
    case 'partial':
      if (resolution.province !== undefined) {
        return {
          status: 'resolved',
          provinceCode: resolution.province.code,
          province: resolution.province,
          translated: resolution.translated === true,
          resolution
        }
      }
      return { status: 'not_found', reason: resolution.reason ?? 'no province determined', resolution }
    case 'ambiguous': {
      const out: RoutingResult = {
        status: 'ambiguous',
        candidates: resolution.candidates ?? [],
        reason: resolution.reason ?? 'ambiguous',
        resolution
      }
      if (resolution.province !== undefined) out.provinceCode = resolution.province.code
      return out
    }
    default:
      return { status: resolution.status, reason: resolution.reason ?? resolution.status, resolution }
  }
}
