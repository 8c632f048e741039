import { UpstreamFailure } from '../contract.js'

/**
 * A bulkhead: at most `max` calls in flight to one connector instance, at most `queue` more waiting, each
 * for at most `waitMs`. A slow national system then holds a bounded share of the gateway instead of all
 * of it; callers beyond the bound get a fast 503 rather than piling up. Hand-written because it is a dozen
 * lines and must fail with the gateway's own UpstreamFailure.
 */
export class Bulkhead {
  readonly #max: number
  readonly #queue: number
  readonly #waitMs: number
  #active = 0
  readonly #waiting: Array<{ grant: () => void, timer: NodeJS.Timeout }> = []

  constructor (max: number, queue: number, waitMs: number) {
    this.#max = max
    this.#queue = queue
    this.#waitMs = waitMs
  }

  get active (): number { return this.#active }
  get waiting (): number { return this.#waiting.length }

  async run<T> (fn: () => Promise<T>): Promise<T> {
    await this.#acquire()
    try {
      return await fn()
    } finally {
      this.#release()
    }
  }

  async #acquire (): Promise<void> {
    if (this.#active < this.#max) { this.#active++; return }
    if (this.#waiting.length >= this.#queue) throw new UpstreamFailure('unavailable', 'too many calls in flight to this connector', { retryable: false })
    await new Promise<void>((resolve, reject) => {
      const entry = {
        grant: resolve,
        timer: setTimeout(() => {
          const i = this.#waiting.indexOf(entry)
          if (i >= 0) this.#waiting.splice(i, 1)
          reject(new UpstreamFailure('unavailable', 'waited too long for a free slot to this connector', { retryable: false }))
        }, this.#waitMs)
      }
      this.#waiting.push(entry)
    })
  }

  #release (): void {
    const next = this.#waiting.shift()
    if (next !== undefined) { clearTimeout(next.timer); next.grant() } else this.#active--
  }
}
