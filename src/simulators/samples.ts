import { citizensOf } from './citizen/data.js'
import { insuranceOf } from './insurance/data.js'
import { generateParcels, type Parcel } from './land/data.js'
import { DEFAULT_SEED } from './seed/prng.js'
import { taxpayersOf } from './tax/data.js'

/** Gateway lookup services the simulators answer. */
export const SAMPLE_SERVICE_IDS = ['citizen.lookup', 'land.parcel.lookup', 'tax.taxpayer.lookup', 'insurance.coverage.lookup'] as const
export type SampleServiceId = typeof SAMPLE_SERVICE_IDS[number]

/** Request bodies (the gateway's canonical shapes) per service. */
export type Samples = Record<SampleServiceId, Array<Record<string, string>>>

const firstWhere = <T>(items: readonly T[], ...tests: Array<(item: T) => boolean>): T[] =>
  tests.map((test) => {
    const found = items.find(test)
    if (found === undefined) throw new Error('no seed record matches a sample rule')
    return found
  })

function landSamples (parcels: readonly Parcel[]): Array<Record<string, string>> {
  const [person, couple, organisation, rice] = firstWhere(parcels,
    (p) => p.owners.length === 1 && 'personalId' in p.owners[0],
    (p) => p.owners.length === 2,
    (p) => 'taxCode' in p.owners[0],
    (p) => p.landUse === 'LUC')
  return [
    { parcelId: person.parcelId },
    { parcelId: organisation.parcelId },
    { communeCode: couple.communeCode, mapSheet: couple.mapSheet, parcelNumber: couple.parcelNumber },
    { communeCode: rice.communeCode, mapSheet: rice.mapSheet, parcelNumber: rice.parcelNumber }
  ]
}

/** Valid identifiers, in request bodies, that the simulators of that seed answer with 200. */
export function sampleIds (seed = DEFAULT_SEED): Samples {
  const citizens = citizensOf(seed)
  const taxpayers = taxpayersOf(seed)
  const insurance = insuranceOf(seed)
  return {
    'citizen.lookup': firstWhere(citizens,
      (c) => c.status === 'alive' && c.gender === 'male' && c.permanentAddress.provinceCode === '01',
      (c) => c.status === 'alive' && c.gender === 'female' && c.permanentAddress.provinceCode === '79',
      (c) => c.status === 'alive' && c.dateOfBirth >= '2000',
      (c) => c.status === 'alive' && !['01', '79'].includes(c.permanentAddress.provinceCode),
      (c) => c.status === 'deceased'
    ).map((c) => ({ personalId: c.personalId })),
    'land.parcel.lookup': [...landSamples(generateParcels('01', seed)), ...landSamples(generateParcels('79', seed))],
    'tax.taxpayer.lookup': [
      ...taxpayers.slice(0, 5),
      ...firstWhere(taxpayers,
        (t) => t.taxCode.endsWith('-001'),
        (t) => t.taxCode.endsWith('-002'),
        (t) => t.kind === 'individual' && t.taxCode.length === 10,
        (t) => t.kind === 'individual' && t.taxCode.length === 12,
        (t) => t.kind === 'household',
        (t) => t.status === 'suspended',
        (t) => t.status === 'closed')
    ].map((t) => ({ taxCode: t.taxCode })),
    'insurance.coverage.lookup': [
      ...insurance.slice(0, 2).map((r) => ({ socialInsuranceCode: r.socialInsuranceCode })),
      ...firstWhere(insurance, (r) => r.healthInsurance.cardNo.startsWith('TE'), (r) => r.healthInsurance.cardNo.startsWith('HT'))
        .map((r) => ({ healthInsuranceCardNo: r.healthInsurance.cardNo })),
      ...insurance.slice(2, 3).map((r) => ({ personalId: r.personalId })),
      ...insurance.slice(-1).map((r) => ({ personalId: r.personalId }))
    ]
  }
}

/** Valid identifiers, in request bodies, that the simulators of that seed answer with 404. */
export function unknownIds (seed = DEFAULT_SEED): Samples {
  const pins = new Set([...citizensOf(seed), ...insuranceOf(seed)].map((x) => x.personalId))
  let n = 0
  while (pins.has(`001099${String(n).padStart(6, '0')}`)) n++
  const pin = `001099${String(n).padStart(6, '0')}`
  return {
    'citizen.lookup': [{ personalId: pin }],
    'land.parcel.lookup': [{ parcelId: 's00000000000' }, { communeCode: '00070', mapSheet: '999', parcelNumber: '1' }],
    'tax.taxpayer.lookup': [{ taxCode: '0100109106-999' }, { taxCode: pin }],
    'insurance.coverage.lookup': [{ socialInsuranceCode: '0000000000' }, { healthInsuranceCardNo: 'DN4010000000000' }, { personalId: pin }]
  }
}
