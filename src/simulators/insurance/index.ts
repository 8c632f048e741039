import { isHealthInsuranceCardNo, isPersonalId, isSocialInsuranceCode } from '../../identifiers/index.js'
import { bodyOf, invalidRequest, notFound, stringField } from '../replies.js'
import { DEFAULT_SEED } from '../seed/prng.js'
import { createSimulator, type Simulator, type SimulatorOptions } from '../simulator.js'
import { insuranceOf, type InsuranceRecord } from './data.js'

export type { InsuranceRecord } from './data.js'

export interface InsuranceSimulator extends Simulator {
  readonly records: readonly InsuranceRecord[]
}

/** The accepted request forms: which body field, how it is checked, how records are indexed by it. */
const KEYS = [
  ['socialInsuranceCode', isSocialInsuranceCode, (r: InsuranceRecord) => r.socialInsuranceCode],
  ['healthInsuranceCardNo', isHealthInsuranceCardNo, (r: InsuranceRecord) => r.healthInsurance.cardNo],
  ['personalId', isPersonalId, (r: InsuranceRecord) => r.personalId]
] as const

/**
 * The social insurance database (BHXH/BHYT): `POST /api/insurance/lookup` with `{ socialInsuranceCode }`,
 * `{ healthInsuranceCardNo }` or `{ personalId }` → 200 record | 404 `{ error: 'NOT_FOUND' }` | 400 `INVALID_REQUEST`.
 */
export function createInsuranceSimulator (opts: SimulatorOptions = {}): InsuranceSimulator {
  const seed = opts.seed ?? DEFAULT_SEED
  const records = insuranceOf(seed)
  const indexes = KEYS.map(([field, valid, key]) => ({ field, valid, byKey: new Map(records.map((r) => [key(r), r])) }))
  const sim = createSimulator('insurance', seed, (app) => {
    app.post('/api/insurance/lookup', async (req, reply) => {
      const body = bodyOf(req)
      const index = indexes.find((i) => body[i.field] !== undefined)
      const value = index === undefined ? undefined : stringField(body, index.field)
      if (index === undefined || value === undefined || !index.valid(value)) {
        return invalidRequest(reply, 'expected { socialInsuranceCode } (10 digits), { healthInsuranceCardNo } (15 characters) or { personalId }')
      }
      return index.byKey.get(value) ?? notFound(reply)
    })
  }, opts)
  return Object.assign(sim, { records })
}
