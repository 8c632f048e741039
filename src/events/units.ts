import { LRUCache } from 'lru-cache'
import { PRE_REFORM_LAST_DAY, type AdminUnits, type ResolveInput, type ResolveResult } from '../admin-units/index.js'
import { valueAt } from '../catalog/subjects.js'
import type { EventType } from './catalogue.js'

/** One place of an event, as delivered in the envelope's `units`: today's codes and the source's. */
export interface EventUnit {
  role: string
  status: 'resolved' | 'partial' | 'ambiguous' | 'unresolved'
  provinceCode?: string
  communeCode?: string
  candidates?: string[]
  translated?: boolean
  original: { provinceCode?: string, communeCode?: string, asOf?: string }
}

export interface Routing {
  units: EventUnit[]
  /** Today's provinces and communes of every place: what subscription filters match. */
  provinces: string[]
  communes: string[]
}

type Place = EventUnit['original']

const str = (v: unknown): string | undefined => typeof v === 'string' && v !== '' ? v : undefined

function placeAt (data: unknown, path: string): Place | undefined {
  const loc = valueAt(data, path)
  if (typeof loc !== 'object' || loc === null) return undefined
  const l = loc as Record<string, unknown>
  const place: Place = {}
  if (str(l.provinceCode) !== undefined) place.provinceCode = str(l.provinceCode)
  if (str(l.communeCode) !== undefined) place.communeCode = str(l.communeCode)
  if (str(l.asOf) !== undefined) place.asOf = str(l.asOf)
  return place.provinceCode === undefined && place.communeCode === undefined ? undefined : place
}

function unitOf (role: string, original: Place, r: ResolveResult): EventUnit {
  const unit: EventUnit = { role, status: 'unresolved', original }
  if (r.status === 'not_found' || r.status === 'invalid') return unit
  unit.status = r.status
  if (r.province !== undefined) unit.provinceCode = r.province.code
  if (r.commune !== undefined && r.status !== 'ambiguous') unit.communeCode = r.commune.code
  if (r.status === 'ambiguous') unit.candidates = (r.candidates ?? []).map((c) => c.code)
  if (r.translated === true) unit.translated = true
  return unit
}

/**
 * Routing of events by today's administrative units: each place the event type names (`locations`) is resolved
 * with the dated code tables. A code with `asOf` is read on that date (before 2025-07-01: a pre-reform code,
 * followed through the lineage); without it, as today's code, and when no unit has that code today, as a
 * pre-reform code (sources still send them undated). A commune split between several new communes is
 * `ambiguous`: its candidates all count for routing, so the province's subscribers and those of every candidate
 * commune receive it. Results are cached by codes (never by anything personal).
 */
export class EventRouter {
  readonly #units: AdminUnits
  readonly #cache = new LRUCache<string, ResolveResult>({ max: 20_000 })

  constructor (units: AdminUnits) { this.#units = units }

  #resolve (p: Place): ResolveResult {
    const key = `${p.provinceCode ?? ''}|${p.communeCode ?? ''}|${p.asOf ?? ''}`
    const hit = this.#cache.get(key)
    if (hit !== undefined) return hit
    const input: ResolveInput = {}
    if (p.provinceCode !== undefined) input.provinceCode = p.provinceCode
    if (p.communeCode !== undefined) input.communeCode = p.communeCode
    if (p.asOf !== undefined) input.asOf = p.asOf
    let r = this.#units.resolveOne(input)
    if (r.status === 'not_found' && p.asOf === undefined) {
      const old = this.#units.resolveOne({ ...input, asOf: PRE_REFORM_LAST_DAY })
      if (old.status !== 'not_found' && old.status !== 'invalid') r = old
    }
    this.#cache.set(key, r)
    return r
  }

  route (type: EventType, data: unknown): Routing {
    const units: EventUnit[] = []
    const provinces = new Set<string>()
    const communes = new Set<string>()
    for (const [role, path] of Object.entries(type.locations)) {
      const place = placeAt(data, path)
      if (place === undefined) continue
      const r = this.#resolve(place)
      const unit = unitOf(role, place, r)
      units.push(unit)
      if (unit.provinceCode !== undefined) provinces.add(unit.provinceCode)
      if (unit.communeCode !== undefined) communes.add(unit.communeCode)
      for (const c of r.status === 'ambiguous' ? r.candidates ?? [] : []) {
        communes.add(c.code)
        if (c.provinceCode !== null) provinces.add(c.provinceCode)
      }
    }
    return { units, provinces: [...provinces], communes: [...communes] }
  }
}
