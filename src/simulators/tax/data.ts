import { taxCodeCheckDigit } from '../../identifiers/index.js'
import { livingAdultsOf } from '../citizen/data.js'
import { cityWeightedProvince, province, provinceTitle, type Province } from '../seed/communes.js'
import { memoBySeed } from '../seed/memo.js'
import { companyName, streetAddress } from '../seed/names.js'
import { stream, type Prng } from '../seed/prng.js'

/** A record of the tax registry, in the shape `POST /api/taxpayers/lookup` answers. */
export interface Taxpayer {
  taxCode: string
  name: string
  kind: 'organisation' | 'individual' | 'household'
  status: 'active' | 'suspended' | 'closed'
  taxAuthority: string
  address: string
}

/** Real, published tax codes (their check digits verify): Viettel, MISA, Vinamilk. */
export const PUBLISHED_TAXPAYERS: readonly Taxpayer[] = [
  { taxCode: '0100109106', name: 'Tập đoàn Công nghiệp - Viễn thông Quân đội', kind: 'organisation', status: 'active', taxAuthority: 'Thuế thành phố Hà Nội', address: 'Lô D26 Khu đô thị mới Cầu Giấy, Phường Yên Hòa, Thành phố Hà Nội' },
  { taxCode: '0101243150', name: 'Công ty Cổ phần MISA', kind: 'organisation', status: 'active', taxAuthority: 'Thuế thành phố Hà Nội', address: 'Phố Duy Tân, Phường Cầu Giấy, Thành phố Hà Nội' },
  { taxCode: '0300588569', name: 'Công ty Cổ phần Sữa Việt Nam', kind: 'organisation', status: 'active', taxAuthority: 'Thuế thành phố Hồ Chí Minh', address: 'Số 10 Tân Trào, Phường Tân Mỹ, Thành phố Hồ Chí Minh' }
]

export const TAXPAYER_COUNT = 3000
const ORGANISATIONS = 1600
const BRANCHES = 350
const LEGACY_INDIVIDUALS = 100
const HOUSEHOLDS = 300
const PIN_INDIVIDUALS = TAXPAYER_COUNT - ORGANISATIONS - BRANCHES - LEGACY_INDIVIDUALS - HOUSEHOLDS

/** Range numbers (N1N2) used by the generated organisations; Hà Nội's and HCMC's ranges dominate. */
const RANGES = ['01', '01', '01', '03', '03', '03', '02', '04', '05', '06', '08', '10', '23', '25', '31', '36', '38', '40', '44', '46']

/** A fresh 10-digit tax code with a valid check digit, starting with `lead`. */
function newTaxCode (rng: Prng, taken: Set<string>, lead: () => string): string {
  for (;;) {
    const first = lead()
    const nine = first + rng.digits(9 - first.length)
    const check = taxCodeCheckDigit(nine)
    if (check === undefined || taken.has(nine + String(check))) continue
    taken.add(nine + String(check))
    return nine + String(check)
  }
}

const authority = (p: Province): string => `Thuế ${provinceTitle(p).replace(/^T/, 't')}`
const localAuthority = (rng: Prng, p: Province): string => `Thuế cơ sở ${rng.int(1, 12)} ${provinceTitle(p).replace(/^T/, 't')}`
const address = (rng: Prng, p: Province): string => `${streetAddress(rng, rng.pick(p.communes).name)}, ${provinceTitle(p)}`
const status = (rng: Prng): Taxpayer['status'] => {
  const r = rng.next()
  return r < 0.88 ? 'active' : r < 0.95 ? 'suspended' : 'closed'
}

/**
 * The tax registry of one seed: organisations (10-digit codes), their branches (`-001`…), individuals with a
 * legacy 10-digit code, and individuals and households identified by their PIN (from 1 July 2025).
 */
export function generateTaxpayers (seed: number): Taxpayer[] {
  const rng = stream(seed, 'tax')
  const taken = new Set(PUBLISHED_TAXPAYERS.map((t) => t.taxCode))
  const out: Taxpayer[] = [...PUBLISHED_TAXPAYERS]
  while (out.length < ORGANISATIONS) {
    const p = cityWeightedProvince(rng)
    const taxCode = newTaxCode(rng, taken, () => rng.pick(RANGES))
    out.push({ taxCode, name: companyName(rng), kind: 'organisation', status: status(rng), taxAuthority: authority(p), address: address(rng, p) })
  }
  const branchCount = new Map<string, number>()
  for (let i = 0; i < BRANCHES; i++) {
    const parent = out[rng.int(0, ORGANISATIONS - 1)]
    const n = (branchCount.get(parent.taxCode) ?? 0) + 1
    branchCount.set(parent.taxCode, n)
    const p = cityWeightedProvince(rng)
    out.push({
      taxCode: `${parent.taxCode}-${String(n).padStart(3, '0')}`,
      name: `Chi nhánh ${parent.name} tại ${provinceTitle(p).replace(/^T/, 't')}`,
      kind: 'organisation',
      status: parent.status === 'active' ? status(rng) : parent.status,
      taxAuthority: authority(p),
      address: address(rng, p)
    })
  }
  const people = livingAdultsOf(seed)
  const used = new Set<string>()
  const person = (): typeof people[number] => {
    for (;;) {
      const c = rng.pick(people)
      if (!used.has(c.personalId)) { used.add(c.personalId); return c }
    }
  }
  for (let i = 0; i < LEGACY_INDIVIDUALS; i++) {
    const c = person()
    const p = province(c.permanentAddress.provinceCode)
    const taxCode = newTaxCode(rng, taken, () => '8')
    out.push({ taxCode, name: c.fullName, kind: 'individual', status: status(rng), taxAuthority: localAuthority(rng, p), address: `${c.permanentAddress.detail}, ${provinceTitle(p)}` })
  }
  for (let i = 0; i < PIN_INDIVIDUALS + HOUSEHOLDS; i++) {
    const c = person()
    const p = province(c.permanentAddress.provinceCode)
    const household = i >= PIN_INDIVIDUALS
    out.push({
      taxCode: c.personalId,
      name: household ? `Hộ kinh doanh ${c.fullName}` : c.fullName,
      kind: household ? 'household' : 'individual',
      status: status(rng),
      taxAuthority: localAuthority(rng, p),
      address: `${c.permanentAddress.detail}, ${provinceTitle(p)}`
    })
  }
  return out
}

export const taxpayersOf = memoBySeed(generateTaxpayers)

/** Active organisations (head offices), e.g. as land owners. */
export const activeOrganisationsOf = memoBySeed((seed) =>
  taxpayersOf(seed).filter((t) => t.kind === 'organisation' && t.taxCode.length === 10 && t.status === 'active'))
