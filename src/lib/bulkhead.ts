/** Why a call was not let in: too many already waiting, or it waited its whole `waitMs`. */
export type BulkheadRefusal = 'full' | 'timeout'

/**
 * A bulkhead: at most `max` calls in flight, at most `queue` more waiting, each for at most `waitMs`. A slow
 * national system (or a burst of secret hashing) then holds a bounded share of the gateway instead of all of it;
 * callers beyond the bound get a fast refusal rather than piling up. Hand-written because it is a dozen lines and
 * must fail with the caller's own error (`refuse`).
 */
export class Bulkhead {
  readonly #max: number
  readonly #queue: number
  readonly #waitMs: number
  readonly #refuse: (why: BulkheadRefusal) => Error
  #active = 0
  readonly #waiting: Array<{ grant: () => void, timer: NodeJS.Timeout }> = []

  constructor (max: number, queue: number, waitMs: number, refuse: (why: BulkheadRefusal) => Error) {
    this.#max = max
    this.#queue = queue
    this.#waitMs = waitMs
    this.#refuse = refuse
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
    if (this.#waiting.length >= this.#queue) throw this.#refuse('full')
    await new Promise<void>((resolve, reject) => {
      const entry = {
        grant: resolve,
        timer: setTimeout(() => {
          const i = this.#waiting.indexOf(entry)
          if (i >= 0) this.#waiting.splice(i, 1)
          reject(this.#refuse('timeout'))
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
