import { citizensOf } from '../citizen/data.js'
import { cityWeightedProvince, province, type Commune } from '../seed/communes.js'
import { memoBySeed } from '../seed/memo.js'
import { ageOf, newPerson, type Person } from '../seed/people.js'
import { stream, type Prng } from '../seed/prng.js'

/** A record of the social insurance (BHXH/BHYT) database, in the shape `POST /api/insurance/lookup` answers. */
export interface InsuranceRecord {
  socialInsuranceCode: string
  fullName: string
  personalId: string
  healthInsurance: {
    /** `XX#PP##########`: beneficiary group, benefit level, province, social insurance code. */
    cardNo: string
    benefitLevel: 1 | 2 | 3 | 4 | 5
    validFrom: string
    validTo: string
    registeredFacility: string
  }
  status: 'active' | 'suspended'
}

export const INSURANCE_COUNT = 3000
/** How many records belong to citizens of the population database (same seed → same PINs). */
export const LINKED_TO_CITIZENS = 2000

type Level = InsuranceRecord['healthInsurance']['benefitLevel']

/** Beneficiary group and benefit level by age: TE children under 6, HS pupils, HT pensioners, workers... */
function group (rng: Prng, age: number): [string, Level] {
  if (age < 6) return ['TE', 1]
  if (age < 18) return ['HS', 4]
  const r = rng.next()
  if (age >= 60) return r < 0.7 ? ['HT', 3] : r < 0.88 ? ['GD', 4] : r < 0.97 ? ['HN', 2] : ['CC', 1]
  if (r < 0.45) return ['DN', 4]
  if (r < 0.6) return ['HC', 4]
  if (r < 0.8) return ['GD', 4]
  if (r < 0.88) return ['HN', 2]
  if (r < 0.92) return ['CC', 1]
  if (r < 0.96) return ['CA', 5]
  return ['QN', 5]
}

const HOSPITALS: Readonly<Record<string, readonly string[]>> = {
  '01': ['Bệnh viện Bạch Mai', 'Bệnh viện Hữu nghị Việt Đức', 'Bệnh viện Đa khoa Đống Đa', 'Bệnh viện Thanh Nhàn'],
  79: ['Bệnh viện Chợ Rẫy', 'Bệnh viện Nhân dân 115', 'Bệnh viện Thống Nhất', 'Bệnh viện Nhân dân Gia Định']
}

function facility (rng: Prng, provinceCode: string, commune: Commune): string {
  const hospitals = HOSPITALS[provinceCode]
  return hospitals !== undefined && rng.chance(0.6) ? rng.pick(hospitals) : `Trạm Y tế ${commune.name}`
}

/** Card validity: children's cards run to the day before their 6th birthday; others by calendar period. */
function validity (rng: Prng, person: Pick<Person, 'dateOfBirth'>, groupCode: string): [string, string] {
  if (groupCode === 'TE') {
    const [y, m, d] = person.dateOfBirth.split('-').map(Number)
    const end = new Date(Date.UTC(y + 6, m - 1, d - 1))
    return [person.dateOfBirth, end.toISOString().slice(0, 10)]
  }
  const r = rng.next()
  if (r < 0.7) return ['2026-01-01', '2026-12-31']
  if (r < 0.9) return ['2025-07-01', '2026-06-30']
  return ['2025-01-01', '2025-12-31']
}

interface Holder { personalId: string, fullName: string, dateOfBirth: string, provinceCode: string, commune: Commune }

/**
 * The social insurance database of one seed: 2,000 living citizens of the population database and 1,000
 * other people, each with a unique 10-digit code (province prefix + 8 digits) and a BHYT card.
 */
export function generateInsurance (seed: number): InsuranceRecord[] {
  const rng = stream(seed, 'insurance')
  const citizens = citizensOf(seed)
  const holders: Holder[] = []
  for (const c of citizens.filter((x) => x.status === 'alive').slice(0, LINKED_TO_CITIZENS)) {
    const prov = province(c.permanentAddress.provinceCode)
    const commune = prov.communes.find((x) => x.code === c.permanentAddress.communeCode) ?? prov.communes[0]
    holders.push({ ...c, provinceCode: prov.code, commune })
  }
  const taken = new Set(citizens.map((c) => c.personalId))
  while (holders.length < INSURANCE_COUNT) {
    const p = newPerson(rng, taken)
    const prov = cityWeightedProvince(rng)
    holders.push({ ...p, provinceCode: prov.code, commune: rng.pick(prov.communes) })
  }
  const codes = new Set<string>()
  return holders.map((h) => {
    let socialInsuranceCode = h.provinceCode + rng.digits(8)
    while (codes.has(socialInsuranceCode)) socialInsuranceCode = h.provinceCode + rng.digits(8)
    codes.add(socialInsuranceCode)
    const [groupCode, benefitLevel] = group(rng, ageOf(h))
    const [validFrom, validTo] = validity(rng, h, groupCode)
    return {
      socialInsuranceCode,
      fullName: h.fullName,
      personalId: h.personalId,
      healthInsurance: {
        cardNo: `${groupCode}${benefitLevel}${h.provinceCode}${socialInsuranceCode}`,
        benefitLevel,
        validFrom,
        validTo,
        registeredFacility: facility(rng, h.provinceCode, h.commune)
      },
      status: rng.chance(0.08) ? 'suspended' : 'active'
    }
  })
}

export const insuranceOf = memoBySeed(generateInsurance)
