import type { FastifyInstance } from 'fastify'
import { DEFAULT_SEED, stream } from '../seed/prng.js'
import { createSimulator, type Simulator, type SimulatorOptions } from '../simulator.js'
import { StepLedger } from './ledger.js'

export interface NationalSimulatorOptions extends SimulatorOptions {
  /** Typical answer time (ms); each answer takes between half and one and a half of it. */
  latencyMs?: number
}

export interface NationalSimulator extends Simulator {
  /** Step keys, their calls and executions; forced answers. */
  readonly ledger: StepLedger
}

type Json = Record<string, unknown>
export const docCodes = (body: Json): Set<string> => new Set(((body.documents ?? []) as Json[]).map((d) => String(d.code)))
export const str = (v: unknown): string => typeof v === 'string' ? v : ''

/** A simulator of a national system whose writes are step calls with a step key (see ledger.ts). */
export function createNationalSimulator (name: string, opts: NationalSimulatorOptions, routes: (app: FastifyInstance, ledger: StepLedger) => void): NationalSimulator {
  const seed = opts.seed ?? DEFAULT_SEED
  const ledger = new StepLedger(stream(seed, `${name}-latency`), { latencyMs: opts.latencyMs })
  const sim = createSimulator(name, seed, (app) => {
    ledger.routes(app)
    routes(app, ledger)
  }, opts)
  return Object.assign(sim, { ledger })
}

/** A sequence number per year: `n/YYYY`. */
export function counter (prefix = ''): () => string {
  let n = 0
  return () => `${prefix}${++n}/${new Date().getUTCFullYear()}`
}
