import { createCitizenSimulator, type CitizenSimulator } from './citizen/index.js'
import { createDvcqgSimulator, type DvcqgSimulator, type PortalOptions } from './dvcqg/index.js'
import { createInsuranceSimulator, type InsuranceSimulator } from './insurance/index.js'
import { createLandSimulator, type LandSimulator } from './land/index.js'
import { DEFAULT_SEED } from './seed/prng.js'
import type { Simulator } from './simulator.js'
import { createTaxSimulator, type TaxSimulator } from './tax/index.js'
import {
  createCivilStatusSimulator, createPopulationSimulator, createResidenceSimulator, createSocialInsuranceSimulator, type NationalSimulator
} from './national/index.js'

export { createCitizenSimulator, PopulationFeed, type CitizenSimulator, type Citizen, type PopulationChange, type Place } from './citizen/index.js'
export { createLandSimulator, type LandSimulator, type LandSimulatorOptions, type Parcel, type Owner, PROVINCE_BOUNDS } from './land/index.js'
export { createTaxSimulator, type TaxSimulator, type Taxpayer } from './tax/index.js'
export { createInsuranceSimulator, type InsuranceSimulator, type InsuranceRecord } from './insurance/index.js'
export * from './dvcqg/index.js'
export { createSimulator, type Simulator, type SimulatorOptions } from './simulator.js'
export { Faults, type FaultSettings } from './faults.js'
export { sampleIds, unknownIds, SAMPLE_SERVICE_IDS, type SampleServiceId, type Samples } from './samples.js'
export { DEFAULT_SEED } from './seed/prng.js'
export * from './national/index.js'

/** The simulators `startSimulators` runs, in port order (basePort + index). */
export const SIMULATOR_IDS = ['citizen', 'land-01', 'land-79', 'tax', 'insurance', 'dvcqg'] as const
/** The national systems of the interlinked procedures (docs/procedures.md), at basePort + 10 + index. */
export const NATIONAL_SIMULATOR_IDS = ['civil-status', 'population-pin', 'residence', 'social-insurance'] as const
export const NATIONAL_PORT_OFFSET = 10
/** Typical answer times (ms) of the national systems in the embedded default. */
export const NATIONAL_LATENCY_MS: Readonly<Record<NationalSimulatorId, number>> = { 'civil-status': 40, 'population-pin': 15, residence: 30, 'social-insurance': 50 }
export type NationalSimulatorId = typeof NATIONAL_SIMULATOR_IDS[number]
export type SimulatorId = typeof SIMULATOR_IDS[number] | NationalSimulatorId

export interface RunningSimulators {
  /** Base URL of each simulator, e.g. `{ citizen: 'http://127.0.0.1:40123', ... }`. */
  urls: Record<SimulatorId, string>
  sims: {
    citizen: CitizenSimulator
    'land-01': LandSimulator
    'land-79': LandSimulator
    tax: TaxSimulator
    insurance: InsuranceSimulator
    dvcqg: DvcqgSimulator
  } & Record<NationalSimulatorId, NationalSimulator>
  close (): Promise<void>
}

export interface StartSimulatorsOptions {
  /** Listen address (default 127.0.0.1). */
  host?: string
  /** Seed of all generated data (default DEFAULT_SEED). */
  seed?: number
  /** When given, simulator i listens on basePort + i (order of SIMULATOR_IDS); otherwise on free ports. */
  basePort?: number
  logger?: boolean
  /** Portal settings: credentials, dstcode, session TTL, clock. */
  dvcqg?: PortalOptions
  /** Answer time of the national systems of the procedures (default NATIONAL_LATENCY_MS). */
  nationalLatencyMs?: number
}

/** Starts every simulator on its own port; on failure closes those already started and rethrows. */
export async function startSimulators (opts: StartSimulatorsOptions = {}): Promise<RunningSimulators> {
  const common = { seed: opts.seed ?? DEFAULT_SEED, logger: opts.logger }
  const sims: RunningSimulators['sims'] = {
    citizen: createCitizenSimulator(common),
    'land-01': createLandSimulator({ ...common, provinceCode: '01' }),
    'land-79': createLandSimulator({ ...common, provinceCode: '79' }),
    tax: createTaxSimulator(common),
    insurance: createInsuranceSimulator(common),
    dvcqg: createDvcqgSimulator({ ...common, ...opts.dvcqg }),
    'civil-status': createCivilStatusSimulator({ ...common, latencyMs: opts.nationalLatencyMs ?? NATIONAL_LATENCY_MS['civil-status'] }),
    'population-pin': createPopulationSimulator({ ...common, latencyMs: opts.nationalLatencyMs ?? NATIONAL_LATENCY_MS['population-pin'] }),
    residence: createResidenceSimulator({ ...common, latencyMs: opts.nationalLatencyMs ?? NATIONAL_LATENCY_MS.residence }),
    'social-insurance': createSocialInsuranceSimulator({ ...common, latencyMs: opts.nationalLatencyMs ?? NATIONAL_LATENCY_MS['social-insurance'] })
  }
  const all: Simulator[] = [...SIMULATOR_IDS, ...NATIONAL_SIMULATOR_IDS].map((id) => sims[id])
  const close = async (): Promise<void> => {
    await Promise.allSettled(all.map(async (s) => await s.close()))
  }
  const urls: Partial<Record<SimulatorId, string>> = {}
  try {
    for (const [i, id] of SIMULATOR_IDS.entries()) {
      urls[id] = await sims[id].listen(opts.basePort === undefined ? 0 : opts.basePort + i, opts.host ?? '127.0.0.1')
    }
    for (const [i, id] of NATIONAL_SIMULATOR_IDS.entries()) {
      urls[id] = await sims[id].listen(opts.basePort === undefined ? 0 : opts.basePort + NATIONAL_PORT_OFFSET + i, opts.host ?? '127.0.0.1')
    }
  } catch (err) {
    await close()
    throw err
  }
  return { urls: urls as Record<SimulatorId, string>, sims, close }
}
