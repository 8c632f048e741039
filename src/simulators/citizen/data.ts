import { CURRENT_PROVINCE_OF, PROVINCES, province } from '../seed/communes.js'
import { memoBySeed } from '../seed/memo.js'
import { streetAddress } from '../seed/names.js'
import { ageOf, newPerson } from '../seed/people.js'
import { stream, type Prng } from '../seed/prng.js'

/** A record of the national population database, in the shape `POST /api/citizens/lookup` answers. */
export interface Citizen {
  personalId: string
  fullName: string
  dateOfBirth: string
  gender: 'male' | 'female'
  nationality: 'VN'
  permanentAddress: { provinceCode: string, communeCode: string, detail: string }
  status: 'alive' | 'deceased'
}

export const CITIZEN_COUNT = 5000

/** Where a person lives: mostly the 2025 province that absorbed their birth province, else a big city or anywhere. */
function residenceProvince (rng: Prng, birthProvince: string): string {
  const r = rng.next()
  if (r < 0.6) return CURRENT_PROVINCE_OF.get(birthProvince) ?? '01'
  if (r < 0.75) return '01'
  if (r < 0.9) return '79'
  return rng.pick(PROVINCES).code
}

function deceasedChance (age: number): number {
  if (age >= 80) return 0.25
  if (age >= 60) return 0.05
  return 0.005
}

/** The population database of one seed: 5,000 citizens with unique, valid PINs. */
export function generateCitizens (seed: number, count = CITIZEN_COUNT): Citizen[] {
  const rng = stream(seed, 'citizen')
  const taken = new Set<string>()
  const out: Citizen[] = []
  for (let i = 0; i < count; i++) {
    const p = newPerson(rng, taken)
    const prov = province(residenceProvince(rng, p.birthProvince))
    const commune = rng.pick(prov.communes)
    out.push({
      personalId: p.personalId,
      fullName: p.fullName,
      dateOfBirth: p.dateOfBirth,
      gender: p.gender,
      nationality: 'VN',
      permanentAddress: { provinceCode: prov.code, communeCode: commune.code, detail: streetAddress(rng, commune.name) },
      status: rng.chance(deceasedChance(ageOf(p))) ? 'deceased' : 'alive'
    })
  }
  return out
}

export const citizensOf = memoBySeed((seed) => generateCitizens(seed))

/** Living adults of the population database, for the other systems' records about the same people. */
export const livingAdultsOf = memoBySeed((seed) =>
  citizensOf(seed).filter((c) => c.status === 'alive' && ageOf(c) >= 18))
