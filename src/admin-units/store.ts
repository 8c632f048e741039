/**
 * In-memory indexes over the decoded table: dated versions per code, lineage both ways, legacy
 * districts, aliases and name indexes. Everything the API and the resolver look up is a Map access.
 */
import { PRE_REFORM_LAST_DAY, REFORM_DATE, validOn } from './dates.js'
import { NameIndex } from './name-index.js'
import { decodeAlias, decodeDistrict, decodeUnit, type LinkRow, type TableFile } from './table.js'
import type { AdminUnit, CodeAlias, LegacyDistrict, Level, LineageKind, LinkedUnit } from './types.js'

export interface Link { code: string, kind: LineageKind }

function group<K, V> (entries: Iterable<[K, V]>): Map<K, V[]> {
  const map = new Map<K, V[]>()
  for (const [k, v] of entries) {
    const list = map.get(k)
    if (list === undefined) map.set(k, [v])
    else list.push(v)
  }
  return map
}

const links = (rows: LinkRow[], reverse: boolean): Map<string, Link[]> =>
  group(rows.map(([from, to, kind]): [string, Link] => reverse ? [to, { code: from, kind }] : [from, { code: to, kind }]))

function byValidFrom (a: AdminUnit, b: AdminUnit): number {
  return (a.validFrom ?? '').localeCompare(b.validFrom ?? '')
}

export class UnitStore {
  readonly units: Record<Level, AdminUnit[]>
  readonly versions: Record<Level, Map<string, AdminUnit[]>>
  readonly successors: Record<Level, Map<string, Link[]>>
  readonly predecessors: Record<Level, Map<string, Link[]>>
  readonly districts: Map<string, LegacyDistrict>
  readonly districtCommunes: Map<string, AdminUnit[]>
  readonly districtSuccessors: Map<string, Link[]>
  readonly districtPredecessors: Map<string, Link[]>
  readonly aliases: Map<string, CodeAlias>
  readonly names: { province: NameIndex<AdminUnit>, commune: NameIndex<AdminUnit>, district: NameIndex<LegacyDistrict> }

  constructor (table: TableFile) {
    this.units = {
      province: table.provinces.map(r => decodeUnit(r, 'province')),
      commune: table.communes.map(r => decodeUnit(r, 'commune'))
    }
    this.versions = {
      province: group(this.units.province.map(u => [u.code, u])),
      commune: group(this.units.commune.map(u => [u.code, u]))
    }
    for (const map of Object.values(this.versions)) for (const list of map.values()) list.sort(byValidFrom)
    this.successors = { province: links(table.lineage.province, false), commune: links(table.lineage.commune, false) }
    this.predecessors = { province: links(table.lineage.province, true), commune: links(table.lineage.commune, true) }
    this.districts = new Map(table.districts.map(r => [r[0], decodeDistrict(r)]))
    this.districtCommunes = group(this.units.commune.filter(u => u.districtCode !== null).map(u => [u.districtCode as string, u]))
    this.districtSuccessors = links(table.districtSuccessors, false)
    this.districtPredecessors = links(table.districtSuccessors, true)
    this.aliases = new Map(table.aliases.map(r => [r[0], decodeAlias(r)]))
    this.names = {
      province: new NameIndex(this.units.province),
      commune: new NameIndex(this.units.commune),
      district: new NameIndex(this.districts.values())
    }
  }

  /** The version of `code` valid on `date`, if any. */
  unitAt (level: Level, code: string, date: string): AdminUnit | undefined {
    const list = this.versions[level].get(code)
    if (list === undefined) return undefined
    for (const u of list) if (validOn(u, date)) return u
    return undefined
  }

  history (level: Level, code: string): AdminUnit[] {
    return this.versions[level].get(code) ?? []
  }

  /**
   * The units valid on `today` that continue `unit`: itself if still valid; the current version of the
   * same code for a post-reform unit (codes are never reissued after the reform); the lineage targets for a
   * pre-reform unit (the same code before and after 2025-07-01 may be different units).
   */
  successorsOn (unit: AdminUnit, today: string): LinkedUnit[] {
    if (validOn(unit, today)) return [{ unit, kind: 'full' }]
    const at = today < REFORM_DATE ? REFORM_DATE : today
    if (unit.validFrom !== null && unit.validFrom >= REFORM_DATE) {
      const current = this.unitAt(unit.level, unit.code, at)
      return current === undefined ? [] : [{ unit: current, kind: 'full' }]
    }
    return this.resolveLinks(unit.level, this.successors[unit.level].get(unit.code), at)
  }

  /** The pre-reform units that went (wholly or in part) into a post-reform unit. */
  predecessorsOf (unit: AdminUnit): LinkedUnit[] {
    if (unit.validFrom === null || unit.validFrom < REFORM_DATE) return []
    return this.resolveLinks(unit.level, this.predecessors[unit.level].get(unit.code), PRE_REFORM_LAST_DAY)
  }

  /** Island districts that had no commune and became this đặc khu. */
  districtPredecessorsOf (unit: AdminUnit): LegacyDistrict[] {
    if (unit.level !== 'commune' || unit.validFrom === null || unit.validFrom < REFORM_DATE) return []
    return (this.districtPredecessors.get(unit.code) ?? []).flatMap(l => this.districts.get(l.code) ?? [])
  }

  private resolveLinks (level: Level, list: Link[] | undefined, date: string): LinkedUnit[] {
    const out: LinkedUnit[] = []
    for (const link of list ?? []) {
      const unit = this.unitAt(level, link.code, date)
      if (unit !== undefined) out.push({ unit, kind: link.kind })
    }
    return out
  }
}
