import { citizensOf } from '../../src/simulators/citizen/data.js'
import { DEFAULT_SEED } from '../../src/simulators/index.js'

export {
  createCivilStatusSimulator, createPopulationSimulator, createResidenceSimulator, createSocialInsuranceSimulator,
  type DvcqgSimulator, type NationalSimulator
} from '../../src/simulators/index.js'

/** Living citizens of the default seed (the deceased of death filings). */
export const livingCitizens = (): ReturnType<typeof citizensOf> => citizensOf(DEFAULT_SEED).filter((c) => c.status === 'alive')
