import { isPersonalId } from '../../identifiers/index.js'
import { bodyOf, invalidRequest, notFound, stringField } from '../replies.js'
import { DEFAULT_SEED } from '../seed/prng.js'
import { createSimulator, type Simulator, type SimulatorOptions } from '../simulator.js'
import { citizensOf, type Citizen } from './data.js'
import { PopulationFeed, type Place } from './feed.js'

export type { Citizen } from './data.js'
export { PopulationFeed, type PopulationChange, type Place } from './feed.js'

export interface CitizenSimulator extends Simulator {
  readonly citizens: readonly Citizen[]
  /** Deaths and changes of residence, for the gateway's pull (`POST /api/citizens/changes`). */
  readonly feed: PopulationFeed
}

const placeOf = (v: unknown): Place | undefined => {
  const p = v as Partial<Place> | undefined
  return typeof p?.provinceCode === 'string' && typeof p.communeCode === 'string'
    ? { provinceCode: p.provinceCode, communeCode: p.communeCode, ...(typeof p.asOf === 'string' ? { asOf: p.asOf } : {}) }
    : undefined
}

/**
 * The national population database (CSDLQG về dân cư):
 * `POST /api/citizens/lookup { personalId }` → 200 citizen | 404 `{ error: 'NOT_FOUND' }` | 400 `INVALID_REQUEST`;
 * `POST /api/citizens/changes { after?, limit? }` → `{ changes, last }`: deaths and moves after change id `after`.
 * Test control: `POST /_sim/feed/deaths { personalId, date?, registrationNo? }`, `POST /_sim/feed/moves
 * { personalId, to: { provinceCode, communeCode, asOf? }, date? }` (404 for an unknown or deceased citizen).
 */
export function createCitizenSimulator (opts: SimulatorOptions = {}): CitizenSimulator {
  const seed = opts.seed ?? DEFAULT_SEED
  const citizens = citizensOf(seed)
  const feed = new PopulationFeed(citizens)
  const sim = createSimulator('citizen', seed, (app) => {
    app.post('/api/citizens/lookup', async (req, reply) => {
      const personalId = stringField(bodyOf(req), 'personalId')
      if (personalId === undefined || !isPersonalId(personalId)) {
        return invalidRequest(reply, 'personalId must be a 12-digit personal identification number')
      }
      return feed.current(personalId) ?? notFound(reply)
    })
    app.post('/api/citizens/changes', async (req, reply) => {
      const body = bodyOf(req)
      const after = body.after ?? '0'
      const limit = body.limit ?? 100
      if (typeof after !== 'string' || !/^\d{1,12}$/.test(after)) return invalidRequest(reply, 'after must be a change id')
      if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000) return invalidRequest(reply, 'limit must be 1 to 1000')
      const changes = feed.changesAfter(Number(after), limit)
      return { changes, last: changes.length > 0 ? changes[changes.length - 1].changeId : after }
    })
    app.post('/_sim/feed/deaths', async (req, reply) => {
      const b = bodyOf(req)
      const pin = stringField(b, 'personalId') ?? ''
      return feed.recordDeath(pin, stringField(b, 'date'), stringField(b, 'registrationNo')) ?? notFound(reply)
    })
    app.post('/_sim/feed/moves', async (req, reply) => {
      const b = bodyOf(req)
      const to = placeOf(b.to)
      if (to === undefined) return invalidRequest(reply, 'to must be { provinceCode, communeCode, asOf? }')
      return feed.moveResidence(stringField(b, 'personalId') ?? '', to, stringField(b, 'date')) ?? notFound(reply)
    })
    app.get('/_sim/feed', async () => ({ size: feed.size }))
  }, opts)
  return Object.assign(sim, { citizens, feed })
}
