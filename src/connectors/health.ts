import type { FastifyBaseLogger } from 'fastify'
import type { ConnectorInstance, CircuitState } from './runtime/instance.js'

export interface InstanceHealth {
  id: string
  state: 'up' | 'degraded' | 'down'
  circuit: CircuitState
  lastCheckAt: string | null
  lastCheckOk: boolean | null
  lastCheckError?: string
  p50Ms: number | null
  p99Ms: number | null
  errorRate: number
  calls: number
}

export interface Probe { at: Date, ok: boolean, error?: string }

/**
 * Health of connector instances: active probes on an interval (each instance's probe, when its type has
 * one) plus the passive statistics of real calls and the circuit state.
 */
export class HealthMonitor {
  readonly #probes = new Map<string, Probe>()
  readonly #timer: NodeJS.Timeout | undefined
  readonly #log: FastifyBaseLogger
  readonly #instances: () => ConnectorInstance[]
  #running = false

  constructor (instances: () => ConnectorInstance[], log: FastifyBaseLogger, intervalMs: number) {
    this.#instances = instances
    this.#log = log
    if (intervalMs > 0) {
      this.#timer = setInterval(() => { void this.probeAll() }, intervalMs)
      this.#timer.unref()
    }
  }

  async probeAll (): Promise<void> {
    if (this.#running) return
    this.#running = true
    try {
      await Promise.all(this.#instances().map(async (inst) => { await this.check(inst) }))
    } finally {
      this.#running = false
    }
  }

  /**
   * Checks one instance now (its type's probe; an instance whose type has none counts as answering): the periodic
   * probe, the probe when its circuit opens, and the console's "test connection". The result is its latest check.
   */
  async check (inst: ConnectorInstance): Promise<Probe> {
    let probe: Probe
    try {
      await inst.probe(this.#log)
      probe = { at: new Date(), ok: true }
    } catch (err) {
      probe = { at: new Date(), ok: false, error: (err as Error).message }
    }
    this.#probes.set(inst.id, probe)
    return probe
  }

  /** Probes an instance as soon as its circuit opens, so that its last check says how its system is now. */
  watch (inst: ConnectorInstance): void {
    inst.onCircuitOpen(() => { void this.check(inst) })
  }

  /**
   * The instance's state, consistent with its last check by construction (docs: README "Connector health"):
   * `down` when the last check failed, or when the circuit is open and no check has succeeded; `degraded` when the
   * circuit is open although the national system answers its check (its real calls failed; they are refused
   * until the circuit half-opens), half-open, or 10 % of recent calls or more failed; `up` otherwise. So `down`
   * never comes with `lastCheckOk: true`.
   */
  of (inst: ConnectorInstance): InstanceHealth {
    const probe = this.#probes.get(inst.id)
    const stats = inst.stats.snapshot()
    const circuit = inst.circuit
    const state = probe?.ok === false || (circuit === 'open' && probe?.ok !== true)
      ? 'down'
      : circuit !== 'closed' || stats.errorRate >= 0.1 ? 'degraded' : 'up'
    return {
      id: inst.id,
      state,
      circuit,
      lastCheckAt: probe?.at.toISOString() ?? null,
      lastCheckOk: probe?.ok ?? null,
      ...(probe?.error !== undefined ? { lastCheckError: probe.error } : {}),
      p50Ms: stats.p50Ms,
      p99Ms: stats.p99Ms,
      errorRate: Math.round(stats.errorRate * 10_000) / 10_000,
      calls: stats.calls
    }
  }

  forget (id: string): void { this.#probes.delete(id) }

  close (): void { if (this.#timer !== undefined) clearInterval(this.#timer) }
}
