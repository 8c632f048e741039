/**
 * The administrative-unit API: a dated code table of provinces and communes (63 → 34 provinces, ~10,000 →
 * 3,321 communes on 2025-07-01; Đồng Nai's change of 2026-04-30), lineage old → new, legacy districts,
 * name search and resolution of old codes to today's units. Pure and in memory; load once at start.
 *
 *   const units = AdminUnits.load()
 *   units.get('00070', 'commune', '2025-06-30')?.unit?.fullName   // 'Phường Hàng Trống'
 *   units.resolve([{ communeCode: '00070', asOf: '2024-05-01' }])   // → Phường Hoàn Kiếm, full
 *
 * Dates default to today in Asia/Ho_Chi_Minh. Invalid dates passed to the query methods throw a
 * TypeError (validate request input before calling); `resolve` reports bad items as `invalid` instead.
 */
import { isIsoDate, todayInVietnam, validOn } from './dates.js'
import { MAX_RESOLVE_ITEMS } from './resolve-input.js'
import { resolveItem } from './resolve.js'
import { routeProvince } from './routing.js'
import { UnitStore } from './store.js'
import { readTableFile, type TableFile } from './table.js'
import type {
  AdminUnit, CommuneQuery, GetResult, LegacyDistrict, Level, ResolveInput, ResolveOptions, ResolveResult,
  RoutingInput, RoutingResult
} from './types.js'

function dateOrToday (asOf: string | undefined, name = 'asOf'): string {
  if (asOf === undefined) return todayInVietnam()
  if (!isIsoDate(asOf)) throw new TypeError(`${name} must be a date written YYYY-MM-DD, got ${String(asOf)}`)
  return asOf
}

export class AdminUnits {
  readonly store: UnitStore

  constructor (table: TableFile) {
    this.store = new UnitStore(table)
  }

  /** Loads `data/admin-units/table.json` (or another table file, relative to the repository root). */
  static load (options: { path?: string } = {}): AdminUnits {
    return new AdminUnits(readTableFile(options.path))
  }

  /** Provinces valid on `asOf`: the 63 old ones before 2025-07-01, the 34 new ones after. */
  provinces (asOf?: string): AdminUnit[] {
    const date = dateOrToday(asOf)
    return this.store.units.province.filter(u => validOn(u, date))
  }

  /** Communes valid on `asOf`, optionally in one province (code as of that date) and matching `q`. */
  communes (query: CommuneQuery = {}): AdminUnit[] {
    const date = dateOrToday(query.asOf)
    const list = this.store.units.commune.filter(u => validOn(u, date) &&
      (query.province === undefined || u.parentCode === query.province) &&
      (query.district === undefined || u.districtCode === query.district))
    const found = query.q === undefined || query.q.trim() === '' ? list : this.store.names.commune.search(query.q, list)
    return query.limit === undefined ? found : found.slice(0, Math.max(0, query.limit))
  }

  /** Legacy districts (until 2025-06-30), optionally of one old province. */
  districts (provinceCode?: string): LegacyDistrict[] {
    const all = [...this.store.districts.values()]
    return provinceCode === undefined ? all : all.filter(d => d.provinceCode === provinceCode)
  }

  /**
   * The unit a code named on `asOf`, its successors today (of its last version when it meant nothing on `asOf`),
   * every dated version of the code and, for a post-reform unit, its predecessors. Null when the code never existed
   * at that level (and is no alias).
   */
  get (code: string, level: Level, asOf?: string, options: ResolveOptions = {}): GetResult | null {
    const date = dateOrToday(asOf)
    const today = dateOrToday(options.today, 'today')
    let history = this.store.history(level, code)
    let unit = this.store.unitAt(level, code, date) ?? null
    const alias = level === 'commune' && unit === null ? this.store.aliases.get(code) : undefined
    if (alias !== undefined) {
      const canonical = this.store.unitAt(level, alias.canonical, date)
      if (canonical !== undefined) {
        unit = canonical
        history = this.store.history(level, alias.canonical)
      }
    }
    if (history.length === 0) return null
    const result: GetResult = {
      code,
      level,
      asOf: date,
      unit,
      // a code not in use on asOf (an old code asked today): what its last version became
      successors: this.store.successorsOn(unit ?? history[history.length - 1], today < date ? date : today),
      history,
      predecessors: unit === null ? [] : this.store.predecessorsOf(unit),
      districtPredecessors: unit === null ? [] : this.store.districtPredecessorsOf(unit)
    }
    if (alias !== undefined && unit !== null) result.alias = alias
    return result
  }

  /** The province (as of `asOf`) that a commune code belonged to on `asOf`, or null. */
  provinceOf (communeCode: string, asOf?: string): AdminUnit | null {
    const date = dateOrToday(asOf)
    const alias = this.store.aliases.get(communeCode)
    const commune = this.store.unitAt('commune', communeCode, date) ??
      (alias === undefined ? undefined : this.store.unitAt('commune', alias.canonical, date))
    if (commune?.parentCode == null) return null
    return this.store.unitAt('province', commune.parentCode, date) ?? null
  }

  /** Resolves up to 1,000 items to today's units; throws a RangeError beyond that. */
  resolve (items: ResolveInput[], options: ResolveOptions = {}): ResolveResult[] {
    if (items.length > MAX_RESOLVE_ITEMS) throw new RangeError(`at most ${MAX_RESOLVE_ITEMS} items per call, got ${items.length}`)
    const today = dateOrToday(options.today, 'today')
    return items.map(item => resolveItem(this.store, item, today))
  }

  resolveOne (item: ResolveInput, options: ResolveOptions = {}): ResolveResult {
    return resolveItem(this.store, item, dateOrToday(options.today, 'today'))
  }

  /** Today's province for routing a request that carries a province or commune code (and a date). */
  resolveProvinceForRouting (input: RoutingInput, options: ResolveOptions = {}): RoutingResult {
    return routeProvince(this.store, input, dateOrToday(options.today, 'today'))
  }
}
