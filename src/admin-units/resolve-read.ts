/**
 * First step of resolution: what the input's codes and names meant on the record's date. Codes win over
 * names for the same level (a name given with a code is not checked); codes of different levels must agree
 * (a commune outside the given province is `invalid`, never silently re-homed).
 */
import { isPreReform, validOn } from './dates.js'
import { candidateOf, districtCandidateOf, label } from './refs.js'
import { given } from './resolve-input.js'
import type { UnitStore } from './store.js'
import type { AdminUnit, CodeAlias, LegacyDistrict, Level, ResolveInput, ResolveResult } from './types.js'

export interface Reading {
  date: string
  province?: AdminUnit
  districts?: LegacyDistrict[]
  commune?: AdminUnit
  alias?: CodeAlias
}

export type Outcome = Omit<ResolveResult, 'input'>
export type ReadOutcome = { ok: true, reading: Reading } | { ok: false, outcome: Outcome }

const fail = (status: Outcome['status'], reason: string, extra: Partial<Outcome> = {}): ReadOutcome =>
  ({ ok: false, outcome: { status, reason, ...extra } })

/** Why a code means nothing on `date`, pointing at the period in which it did mean something. */
function codeHint (store: UnitStore, level: Level, code: string, date: string): string {
  const history = store.history(level, code)
  if (history.length === 0) return `unknown ${level} code ${code}`
  if (isPreReform(date)) {
    const first = history[0]
    return `${level} code ${code} did not exist on ${date}; from ${first.validFrom ?? '?'} it is ${label(first)}`
  }
  const last = history[history.length - 1]
  return `${level} code ${code} is not in use on ${date}; until ${last.validTo ?? '?'} it was ${label(last)}. ` +
    'Give the record\'s date (before 2025-07-01) to translate it'
}

function readProvince (store: UnitStore, item: ResolveInput, date: string): ReadOutcome | AdminUnit | undefined {
  if (given(item.provinceCode)) {
    return store.unitAt('province', item.provinceCode, date) ??
      fail('not_found', codeHint(store, 'province', item.provinceCode, date))
  }
  if (!given(item.provinceName)) return undefined
  const hits = store.names.province.match(item.provinceName, u => validOn(u, date))
  if (hits.length === 0) return fail('not_found', `no province named "${item.provinceName}" on ${date}`)
  if (hits.length > 1) {
    return fail('ambiguous', `${hits.length} provinces match "${item.provinceName}" on ${date}`,
      { candidates: hits.map(u => candidateOf(u)) })
  }
  return hits[0]
}

function readDistricts (store: UnitStore, item: ResolveInput, province: AdminUnit | undefined): ReadOutcome | LegacyDistrict[] | undefined {
  if (given(item.districtCode)) {
    const d = store.districts.get(item.districtCode)
    if (d === undefined) return fail('not_found', `unknown legacy district code ${item.districtCode}`)
    if (province !== undefined && d.provinceCode !== province.code) {
      return fail('invalid', `district ${label(d)} was in province ${d.provinceCode}, not ${province.code}`)
    }
    return [d]
  }
  if (!given(item.districtName)) return undefined
  const hits = store.names.district.match(item.districtName, d => province === undefined || d.provinceCode === province.code)
  if (hits.length === 0) return fail('not_found', `no district named "${item.districtName}"`)
  return hits
}

function readCommune (store: UnitStore, item: ResolveInput, r: Reading): ReadOutcome | undefined {
  const { date, province, districts } = r
  const inDistrict = (u: AdminUnit): boolean =>
    districts === undefined || u.districtCode === null || districts.some(d => d.code === u.districtCode)
  if (given(item.communeCode)) {
    let commune = store.unitAt('commune', item.communeCode, date)
    if (commune === undefined && !isPreReform(date)) {
      r.alias = store.aliases.get(item.communeCode)
      if (r.alias !== undefined) commune = store.unitAt('commune', r.alias.canonical, date)
    }
    if (commune === undefined) return fail('not_found', codeHint(store, 'commune', item.communeCode, date))
    if (province !== undefined && commune.parentCode !== province.code) {
      return fail('invalid', `commune ${label(commune)} was in province ${commune.parentCode ?? '?'} on ${date}, not ${province.code}`)
    }
    if (!inDistrict(commune)) {
      return fail('invalid', `commune ${label(commune)} was in district ${commune.districtCode ?? '?'}, not ${districts?.map(d => d.code).join('/') ?? ''}`)
    }
    r.commune = commune
    return undefined
  }
  if (!given(item.communeName)) return undefined
  const hits = store.names.commune.match(item.communeName, u =>
    validOn(u, date) && (province === undefined || u.parentCode === province.code) && inDistrict(u))
  if (hits.length === 0) return fail('not_found', `no commune named "${item.communeName}" on ${date}${province === undefined ? '' : ' in ' + label(province)}`)
  if (hits.length > 1) {
    return fail('ambiguous', `${hits.length} communes match "${item.communeName}" on ${date}; give the province or a code`,
      { candidates: hits.map(u => candidateOf(u)) })
  }
  r.commune = hits[0]
  return undefined
}

/** Reads the item's codes and names as they were on `date`. */
export function readInput (store: UnitStore, item: ResolveInput, date: string): ReadOutcome {
  const pre = isPreReform(date)
  if (!pre && given(item.districtCode)) {
    return fail('invalid', 'legacy district codes are accepted only with a date before 2025-07-01 ' +
      '(the district level was abolished on 2025-07-01)')
  }
  const reading: Reading = { date }
  const province = readProvince(store, item, date)
  if (province !== undefined && 'ok' in province) return province
  reading.province = province
  if (pre) {
    const districts = readDistricts(store, item, reading.province)
    if (districts !== undefined && 'ok' in districts) return districts
    reading.districts = districts
    if (reading.province === undefined && districts !== undefined) {
      const codes = new Set(districts.map(d => d.provinceCode))
      if (codes.size === 1) reading.province = store.unitAt('province', [...codes][0], date)
    }
  }
  const failed = readCommune(store, item, reading)
  if (failed !== undefined) return failed
  if (reading.commune === undefined && reading.districts !== undefined && reading.districts.length > 1) {
    return fail('ambiguous', `${reading.districts.length} districts match "${item.districtName ?? ''}"`,
      { candidates: reading.districts.map(districtCandidateOf) })
  }
  return { ok: true, reading }
}
