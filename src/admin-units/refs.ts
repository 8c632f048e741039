/** Small views of units as returned by the resolver. */
import type { AdminUnit, Candidate, LegacyDistrict, LineageKind, UnitRef } from './types.js'

export function refOf (unit: AdminUnit | LegacyDistrict): UnitRef {
  return { code: unit.code, name: unit.name, fullName: unit.fullName }
}

export function candidateOf (unit: AdminUnit, kind?: LineageKind): Candidate {
  const c: Candidate = {
    ...refOf(unit),
    level: unit.level,
    provinceCode: unit.parentCode,
    validFrom: unit.validFrom,
    validTo: unit.validTo
  }
  if (kind !== undefined) c.kind = kind
  return c
}

export function districtCandidateOf (district: LegacyDistrict): Candidate {
  return {
    ...refOf(district),
    level: 'district',
    provinceCode: district.provinceCode,
    validFrom: null,
    validTo: district.validTo
  }
}

/** `Phường Hàng Trống (00070)` */
export function label (unit: AdminUnit | LegacyDistrict): string {
  return `${unit.fullName} (${unit.code})`
}

/** The one value shared by every item, or undefined. */
export function shared<T> (values: T[]): T | undefined {
  return values.length > 0 && values.every(v => v === values[0]) ? values[0] : undefined
}
