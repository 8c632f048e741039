import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { mulberry32, type Prng } from './seed/prng.js'

/**
 * Fault injection settings of one simulator. Every field is optional; `set` replaces the whole set.
 * - `down`: the socket of every request is destroyed, so clients see a connection error;
 * - `latencyMs`: each answer is delayed by that much;
 * - `status`: every request is answered with that HTTP status (e.g. 503);
 * - `errorRate`: that fraction (0–1) of requests is answered 500, in a deterministic sequence.
 */
export interface FaultSettings {
  latencyMs?: number
  errorRate?: number
  status?: number
  down?: boolean
}

/** JSON Schema of `PUT /_sim/faults`. */
export const faultSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    latencyMs: { type: 'integer', minimum: 0, maximum: 600_000 },
    errorRate: { type: 'number', minimum: 0, maximum: 1 },
    status: { type: 'integer', minimum: 100, maximum: 599 },
    down: { type: 'boolean' }
  }
} as const

/** Paths under this prefix (the simulator's own control API) are never faulted. */
export const CONTROL_PREFIX = '/_sim/'

export class Faults {
  #settings: FaultSettings = {}
  #rng: Prng
  readonly #seed: number

  constructor (seed: number) {
    this.#seed = seed
    this.#rng = mulberry32(seed)
  }

  /** The settings in force. */
  get current (): Readonly<FaultSettings> {
    return { ...this.#settings }
  }

  /** Replaces the settings; the error-rate sequence restarts from the seed, so runs are reproducible. */
  set (settings: FaultSettings): void {
    const { latencyMs, errorRate, status, down } = settings
    if (latencyMs !== undefined && !(Number.isInteger(latencyMs) && latencyMs >= 0)) throw new RangeError('latencyMs must be an integer ≥ 0')
    if (errorRate !== undefined && !(errorRate >= 0 && errorRate <= 1)) throw new RangeError('errorRate must be within 0–1')
    if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599)) throw new RangeError('status must be an HTTP status')
    this.#settings = Object.fromEntries(Object.entries({ latencyMs, errorRate, status, down }).filter(([, v]) => v !== undefined))
    this.#rng = mulberry32(this.#seed)
  }

  reset (): void {
    this.set({})
  }

  /** The onRequest hook that applies the faults (installed once per simulator by `createSimulator`). */
  readonly hook = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (req.url.startsWith(CONTROL_PREFIX)) return
    const { latencyMs, errorRate, status, down } = this.#settings
    if (down === true) {
      reply.hijack()
      req.raw.socket.destroy()
      return reply
    }
    if (latencyMs !== undefined && latencyMs > 0) await sleep(latencyMs)
    if (status !== undefined) {
      return reply.code(status).send({ error: 'SIMULATED_FAULT', status })
    }
    if (errorRate !== undefined && errorRate > 0 && this.#rng.next() < errorRate) {
      return reply.code(500).send({ error: 'SIMULATED_ERROR' })
    }
    return undefined
  }
}
