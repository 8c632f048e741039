import { isTaxCode } from '../../identifiers/index.js'
import { bodyOf, invalidRequest, notFound, stringField } from '../replies.js'
import { DEFAULT_SEED } from '../seed/prng.js'
import { createSimulator, type Simulator, type SimulatorOptions } from '../simulator.js'
import { taxpayersOf, type Taxpayer } from './data.js'

export type { Taxpayer } from './data.js'

export interface TaxSimulator extends Simulator {
  readonly taxpayers: readonly Taxpayer[]
}

/** `NNNNNNNNNNNNN` (13 digits, as some systems store branch codes) → `NNNNNNNNNN-NNN`; anything else unchanged. */
const normalise = (code: string): string => /^\d{13}$/.test(code) ? `${code.slice(0, 10)}-${code.slice(10)}` : code

/**
 * The tax registry: `POST /api/taxpayers/lookup { taxCode }` (10 digits with a valid check digit,
 * `NNNNNNNNNN-NNN`, or a 12-digit PIN) → 200 taxpayer | 404 `{ error: 'NOT_FOUND' }` | 400 `INVALID_REQUEST`.
 */
export function createTaxSimulator (opts: SimulatorOptions = {}): TaxSimulator {
  const seed = opts.seed ?? DEFAULT_SEED
  const taxpayers = taxpayersOf(seed)
  const byCode = new Map(taxpayers.map((t) => [t.taxCode, t]))
  const sim = createSimulator('tax', seed, (app) => {
    app.post('/api/taxpayers/lookup', async (req, reply) => {
      const raw = stringField(bodyOf(req), 'taxCode')
      const taxCode = raw === undefined ? undefined : normalise(raw)
      if (taxCode === undefined || !isTaxCode(taxCode)) {
        return invalidRequest(reply, 'taxCode must be a tax code (10 digits with a valid check digit, optionally -NNN) or a PIN')
      }
      return byCode.get(taxCode) ?? notFound(reply)
    })
  }, opts)
  return Object.assign(sim, { taxpayers })
}
