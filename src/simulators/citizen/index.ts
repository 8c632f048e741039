import { isPersonalId } from '../../identifiers/index.js'
import { bodyOf, invalidRequest, notFound, stringField } from '../replies.js'
import { DEFAULT_SEED } from '../seed/prng.js'
import { createSimulator, type Simulator, type SimulatorOptions } from '../simulator.js'
import { citizensOf, type Citizen } from './data.js'

export type { Citizen } from './data.js'

export interface CitizenSimulator extends Simulator {
  readonly citizens: readonly Citizen[]
}

/**
 * The national population database (CSDLQG về dân cư):
 * `POST /api/citizens/lookup { personalId }` → 200 citizen | 404 `{ error: 'NOT_FOUND' }` | 400 `INVALID_REQUEST`.
 */
export function createCitizenSimulator (opts: SimulatorOptions = {}): CitizenSimulator {
  const seed = opts.seed ?? DEFAULT_SEED
  const citizens = citizensOf(seed)
  const byPin = new Map(citizens.map((c) => [c.personalId, c]))
  const sim = createSimulator('citizen', seed, (app) => {
    app.post('/api/citizens/lookup', async (req, reply) => {
      const personalId = stringField(bodyOf(req), 'personalId')
      if (personalId === undefined || !isPersonalId(personalId)) {
        return invalidRequest(reply, 'personalId must be a 12-digit personal identification number')
      }
      return byPin.get(personalId) ?? notFound(reply)
    })
  }, opts)
  return Object.assign(sim, { citizens })
}
