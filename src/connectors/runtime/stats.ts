/** Passive statistics of one connector instance: a ring of recent latencies and outcome counts. */
export class CallStats {
  readonly #latencies: Float64Array
  #next = 0
  #filled = 0
  #calls = 0
  #errors = 0

  constructor (size = 1024) { this.#latencies = new Float64Array(size) }

  record (ms: number, ok: boolean): void {
    this.#latencies[this.#next] = ms
    this.#next = (this.#next + 1) % this.#latencies.length
    if (this.#filled < this.#latencies.length) this.#filled++
    this.#calls++
    if (!ok) this.#errors++
  }

  snapshot (): { calls: number, errors: number, errorRate: number, p50Ms: number | null, p99Ms: number | null } {
    const sorted = Array.from(this.#latencies.subarray(0, this.#filled)).sort((a, b) => a - b)
    const pick = (q: number): number | null =>
      sorted.length === 0 ? null : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10
    return {
      calls: this.#calls,
      errors: this.#errors,
      errorRate: this.#calls === 0 ? 0 : this.#errors / this.#calls,
      p50Ms: pick(0.5),
      p99Ms: pick(0.99)
    }
  }
}
