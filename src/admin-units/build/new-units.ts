/**
 * Post-reform units from the two NSO snapshots (thanglequoc 2025-07 and 2026-07-25). A unit whose type or
 * name differs between them (beyond tone placement) gets two dated versions of the same code, split at
 * 2026-04-30; otherwise one version from 2025-07-01 with the 2026 spelling (the latest NSO orthography).
 */
import { DONG_NAI_CHANGE_DATE, REFORM_DATE, dayBefore } from '../dates.js'
import { nameKey } from '../normalize.js'
import { fullNameOf, type UnitRow } from '../table.js'
import type { CommuneType, ProvinceType, UnitType } from '../types.js'
import type { NsoProvince } from './sources.js'

const PROVINCE_TYPES: Record<number, ProvinceType> = { 1: 'thanh-pho', 2: 'tinh' }
const COMMUNE_TYPES: Record<number, CommuneType> = { 3: 'phuong', 4: 'xa', 5: 'dac-khu' }

/**
 * Names that differ between the two snapshots only because the 2025 release had a typo: one version, with
 * the corrected name. Any other difference becomes a dated version and is checked by the build.
 */
export const SPELLING_CORRECTIONS: Readonly<Record<string, string>> = {
  '00745': 'Xã Phó Bảng in the 2025-07 release is a typo for Xã Phố Bảng (Công văn 1027/CTK-CSCL, 2026 release)'
}

interface Flat { code: string, type: UnitType, name: string, parent: string | null }

function checkFullName (u: Flat, fullName: string): void {
  // The 2026 release writes one full name in lower case ("xã Bắc Sơn", 06325); compare case-insensitively.
  if (fullNameOf(u.type, u.name).toLowerCase() !== fullName.toLowerCase()) {
    throw new Error(`${u.code}: full name "${fullName}" is not "${fullNameOf(u.type, u.name)}"`)
  }
}

function flatten (snapshot: NsoProvince[]): { provinces: Map<string, Flat>, communes: Map<string, Flat> } {
  const provinces = new Map<string, Flat>()
  const communes = new Map<string, Flat>()
  for (const p of snapshot) {
    const type = PROVINCE_TYPES[p.AdministrativeUnitId]
    if (type === undefined) throw new Error(`province ${p.Code}: unknown unit id ${p.AdministrativeUnitId}`)
    const prov = { code: p.Code, type, name: p.Name.normalize('NFC'), parent: null }
    checkFullName(prov, p.FullName.normalize('NFC'))
    provinces.set(p.Code, prov)
    for (const w of p.Wards) {
      const wt = COMMUNE_TYPES[w.AdministrativeUnitId]
      if (wt === undefined) throw new Error(`commune ${w.Code}: unknown unit id ${w.AdministrativeUnitId}`)
      if (w.ProvinceCode !== p.Code) throw new Error(`commune ${w.Code}: province ${w.ProvinceCode} under ${p.Code}`)
      const c = { code: w.Code, type: wt, name: w.Name.normalize('NFC'), parent: p.Code }
      checkFullName(c, w.FullName.normalize('NFC'))
      communes.set(w.Code, c)
    }
  }
  return { provinces, communes }
}

/** Dated rows for one level; `changed` collects the codes that got a second version. */
function dated (before: Map<string, Flat>, after: Map<string, Flat>, changed: string[]): UnitRow[] {
  const lastBefore = dayBefore(DONG_NAI_CHANGE_DATE)
  const rows: UnitRow[] = []
  const codes = [...new Set([...before.keys(), ...after.keys()])].sort()
  for (const code of codes) {
    const a = before.get(code)
    const b = after.get(code)
    if (a !== undefined && b !== undefined && a.type === b.type && a.parent === b.parent &&
      (nameKey(a.name) === nameKey(b.name) || code in SPELLING_CORRECTIONS)) {
      rows.push([code, b.type, b.name, b.parent, REFORM_DATE, null, null])
      continue
    }
    if (a !== undefined) rows.push([code, a.type, a.name, a.parent, REFORM_DATE, lastBefore, null])
    if (b !== undefined) rows.push([code, b.type, b.name, b.parent, DONG_NAI_CHANGE_DATE, null, null])
    changed.push(code)
  }
  return rows
}

export interface NewUnits {
  provinces: UnitRow[]
  communes: UnitRow[]
  changedProvinces: string[]
  changedCommunes: string[]
}

export function buildNewUnits (units2025: NsoProvince[], units2026: NsoProvince[]): NewUnits {
  const a = flatten(units2025)
  const b = flatten(units2026)
  const changedProvinces: string[] = []
  const changedCommunes: string[] = []
  const provinces = dated(a.provinces, b.provinces, changedProvinces)
  const communes = dated(a.communes, b.communes, changedCommunes)
  return { provinces, communes, changedProvinces, changedCommunes }
}
