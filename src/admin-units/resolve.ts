/**
 * Resolution of old or current codes and names to today's units.
 *
 * - A code with no date is read as today's code; with a date before 2025-07-01 it is read as the old code
 *   and translated through the lineage; with a later date it is read on that date (e.g. a Đồng Nai xã before
 *   2026-04-30) and followed to today's version of the same code.
 * - Names with no date are read as today's names, and only if nothing matches as pre-reform names.
 * - A commune split between several new communes (all partial) → `ambiguous` with the candidates, never a
 *   guess. A legacy district → `partial`: today's province, with the communes its area went to as
 *   candidates (`resolved` for an island district that became a single đặc khu).
 */
import { isPreReform, PRE_REFORM_LAST_DAY, REFORM_DATE } from './dates.js'
import { candidateOf, label, refOf, shared } from './refs.js'
import { given, inputProblem } from './resolve-input.js'
import { readInput, type Outcome, type Reading } from './resolve-read.js'
import type { UnitStore } from './store.js'
import type { AdminUnit, LinkedUnit, ReadAs, ResolveInput, ResolveResult } from './types.js'

function readAsOf (r: Reading): ReadAs {
  const out: ReadAs = { asOf: r.date }
  if (r.province !== undefined) out.province = refOf(r.province)
  if (r.districts?.length === 1) out.district = refOf(r.districts[0])
  if (r.commune !== undefined) out.commune = refOf(r.commune)
  return out
}

function provinceRef (store: UnitStore, code: string | null, today: string): Outcome['province'] {
  const p = code === null ? undefined : store.unitAt('province', code, today < REFORM_DATE ? REFORM_DATE : today)
  return p === undefined ? undefined : refOf(p)
}

function fromLinks (store: UnitStore, links: LinkedUnit[], today: string, what: string): Outcome {
  if (links.length === 0) return { status: 'not_found', reason: `no successor known for ${what}` }
  const province = provinceRef(store, shared(links.map(l => l.unit.parentCode)) ?? null, today)
  if (links.length === 1) {
    const { unit, kind } = links[0]
    return { status: kind === 'full' ? 'resolved' : 'partial', province, commune: refOf(unit), kind }
  }
  return {
    status: 'ambiguous',
    province,
    candidates: links.map(l => candidateOf(l.unit, l.kind)),
    reason: `${what} was split between ${links.length} communes (${links.map(l => label(l.unit)).join(', ')}); ` +
      'give today\'s commune code'
  }
}

function translateCommune (store: UnitStore, commune: AdminUnit, today: string): Outcome {
  return fromLinks(store, store.successorsOn(commune, today), today, label(commune))
}

function translateProvince (store: UnitStore, province: AdminUnit, today: string): Outcome {
  const links = store.successorsOn(province, today)
  if (links.length !== 1) return { status: 'not_found', reason: `no single successor known for ${label(province)}` }
  return { status: 'resolved', province: refOf(links[0].unit), kind: links[0].kind }
}

function translateDistrict (store: UnitStore, reading: Reading, today: string): Outcome {
  const district = (reading.districts ?? [])[0]
  const links = new Map<string, LinkedUnit>()
  const add = (l: LinkedUnit): void => { if (!links.has(l.unit.code)) links.set(l.unit.code, l) }
  for (const c of store.districtCommunes.get(district.code) ?? []) store.successorsOn(c, today).forEach(add)
  const at = today < REFORM_DATE ? REFORM_DATE : today
  for (const l of store.districtSuccessors.get(district.code) ?? []) {
    const unit = store.unitAt('commune', l.code, at)
    if (unit !== undefined) add({ unit, kind: l.kind })
  }
  const list = [...links.values()].sort((a, b) => a.unit.code.localeCompare(b.unit.code))
  if (list.length === 1 && store.districtSuccessors.has(district.code)) return fromLinks(store, list, today, label(district))
  const old = reading.province ?? store.unitAt('province', district.provinceCode, PRE_REFORM_LAST_DAY)
  const province = old === undefined ? undefined : translateProvince(store, old, today).province
  if (province === undefined) return { status: 'not_found', reason: `no successor known for ${label(district)}` }
  return {
    status: 'partial',
    province,
    candidates: list.map(l => candidateOf(l.unit, 'partial')),
    reason: `the district level was abolished on 2025-07-01: ${label(district)} is now part of ` +
      `${province.fullName}, spread over ${list.length} communes; only the province is determined`
  }
}

function resolveOn (store: UnitStore, item: ResolveInput, date: string, today: string): Outcome {
  const read = readInput(store, item, date)
  if (!read.ok) return read.outcome
  const r = read.reading
  let out: Outcome
  if (r.commune !== undefined) out = translateCommune(store, r.commune, today)
  else if (r.districts !== undefined) out = translateDistrict(store, r, today)
  else if (r.province !== undefined) out = translateProvince(store, r.province, today)
  else return { status: 'invalid', reason: 'give at least one code or name' }
  out.readAs = readAsOf(r)
  out.translated = isPreReform(date)
  if (r.alias !== undefined) {
    out.alias = r.alias
    const note = `${r.alias.code} is an alias of ${r.alias.canonical}: ${r.alias.note}`
    out.reason = out.reason === undefined ? note : note + '; ' + out.reason
  }
  return out
}

/** Resolves one item to today's units (`today` defaults to the current date in Vietnam). */
export function resolveItem (store: UnitStore, item: ResolveInput, today: string): ResolveResult {
  const problem = inputProblem(item)
  if (problem !== null) return { status: 'invalid', input: item, reason: problem }
  if (given(item.asOf)) return { input: item, ...resolveOn(store, item, item.asOf, today) }
  if (given(item.districtCode)) {
    return {
      status: 'invalid',
      input: item,
      reason: 'a legacy district code needs the record\'s date (before 2025-07-01): the district level was ' +
        'abolished on 2025-07-01'
    }
  }
  const current = resolveOn(store, item, today, today)
  const namesOnly = !given(item.provinceCode) && !given(item.communeCode)
  if (current.status === 'not_found' && namesOnly) {
    const old = resolveOn(store, item, PRE_REFORM_LAST_DAY, today)
    if (old.status !== 'not_found' && old.status !== 'invalid') {
      const why = 'no date given and no current unit has this name, so it was read as a pre-reform name'
      return { input: item, ...old, reason: old.reason === undefined ? why : why + '; ' + old.reason }
    }
  }
  return { input: item, ...current }
}
