/**
 * Types of the administrative-unit transition core (issue 6, domain.md §2.5, §2.6, §3).
 *
 * Codes are versioned by date: the same code can name different units before and after the reform of
 * 1 July 2025 (`00070` was Phường Hàng Trống, is now Phường Hoàn Kiếm), so every unit carries the period in
 * which that meaning is valid. Dates are ISO calendar dates (`YYYY-MM-DD`) in Vietnam's time zone.
 */

export type Level = 'province' | 'commune'

/** Province types: `thanh-pho` = centrally-run city (thành phố trực thuộc trung ương). */
export type ProvinceType = 'tinh' | 'thanh-pho'
/** Commune types: `thi-tran` existed only before 2025-07-01, `dac-khu` (island special zone) only after. */
export type CommuneType = 'phuong' | 'xa' | 'dac-khu' | 'thi-tran'
/** District types (the district level was abolished on 2025-07-01); `thanh-pho` = provincial city. */
export type DistrictType = 'quan' | 'huyen' | 'thi-xa' | 'thanh-pho'
export type UnitType = ProvinceType | CommuneType

/** One dated version of a province or commune code. */
export interface AdminUnit {
  code: string
  level: Level
  /** The name without the unit prefix, e.g. `Hoàn Kiếm`. */
  name: string
  /** The name with the unit prefix, e.g. `Phường Hoàn Kiếm`. */
  fullName: string
  type: UnitType
  /** Province code for a commune (as of the same period); null for a province. */
  parentCode: string | null
  /** Legacy district code (3 digits) for a pre-reform commune when known, else null. */
  districtCode: string | null
  /** First day of validity; null = before the sources' horizon (unknown). */
  validFrom: string | null
  /** Last day of validity; null = still valid. */
  validTo: string | null
}

/** A district (cấp huyện) as it existed until 2025-06-30. */
export interface LegacyDistrict {
  code: string
  name: string
  fullName: string
  type: DistrictType
  provinceCode: string
  validFrom: null
  validTo: string
}

export type LineageKind = 'full' | 'partial'

/** A unit linked to another through the reform: `full` = all of the old unit, `partial` = part of it. */
export interface LinkedUnit {
  unit: AdminUnit
  kind: LineageKind
}

/** Two codes that name the same commune, because the sources disagree (see data/admin-units/README.md). */
export interface CodeAlias {
  code: string
  canonical: string
  note: string
}

export interface GetResult {
  code: string
  level: Level
  asOf: string
  /** The version valid on `asOf`, or null when the code meant nothing on that date. */
  unit: AdminUnit | null
  /** Set when `code` is an alias of another code (the unit is then the canonical one). */
  alias?: CodeAlias
  /** Today's units that continue `unit` (itself if still valid) or, when it is null, the code's last version. */
  successors: LinkedUnit[]
  /** Every dated version of the code, oldest first. */
  history: AdminUnit[]
  /** For a post-reform unit: the pre-reform units merged into it. */
  predecessors: LinkedUnit[]
  /** For a đặc khu made from an island district that had no commune: that district. */
  districtPredecessors: LegacyDistrict[]
}

export interface CommuneQuery {
  /** Province code as of `asOf`. */
  province?: string
  /** Legacy district code (only meaningful for a date before 2025-07-01). */
  district?: string
  /** Name search: diacritics, tone placement, case and unit prefix are optional. */
  q?: string
  asOf?: string
  limit?: number
}

export interface ResolveInput {
  provinceCode?: string
  districtCode?: string
  communeCode?: string
  provinceName?: string
  districtName?: string
  communeName?: string
  /** The date of the record; before 2025-07-01 the codes and names are read as pre-reform. */
  asOf?: string
}

export type ResolveStatus = 'resolved' | 'partial' | 'ambiguous' | 'not_found' | 'invalid'

export interface UnitRef {
  code: string
  name: string
  fullName: string
}

export interface Candidate extends UnitRef {
  level: Level | 'district'
  provinceCode: string | null
  kind?: LineageKind
  validFrom: string | null
  validTo: string | null
}

/** What the input codes or names meant on the input date. */
export interface ReadAs {
  asOf: string
  province?: UnitRef
  district?: UnitRef
  commune?: UnitRef
}

export interface ResolveResult {
  status: ResolveStatus
  input: ResolveInput
  /** Today's province (also set for an ambiguous commune when all candidates share it). */
  province?: UnitRef
  /** Today's commune. */
  commune?: UnitRef
  kind?: LineageKind
  candidates?: Candidate[]
  /** How many candidates there were, when the API answers fewer (src/routes/admin-units/resolve.ts). */
  candidatesTotal?: number
  reason?: string
  /** True when the input was read as pre-reform and translated to today's units. */
  translated?: boolean
  readAs?: ReadAs
  alias?: CodeAlias
}

export interface RoutingInput {
  provinceCode?: string
  communeCode?: string
  /** Legacy district code: accepted only with a date before 2025-07-01. */
  districtCode?: string
  asOf?: string
}

export type RoutingResult =
  | { status: 'resolved', provinceCode: string, province: UnitRef, translated: boolean, resolution: ResolveResult }
  | {
    status: 'ambiguous'
    /** Set when every candidate lies in the same province (informational: the gateway answers 422). */
    provinceCode?: string
    candidates: Candidate[]
    reason: string
    resolution: ResolveResult
  }
  | { status: 'not_found' | 'invalid', reason: string, resolution: ResolveResult }

export interface ResolveOptions {
  /** The "today" that inputs are translated to; default: today in Asia/Ho_Chi_Minh. */
  today?: string
}
