/**
 * The abort signal of one connector attempt: aborted when its time is up or when the caller's signal aborts,
 * whichever comes first, and released (timer cleared, listener removed) as soon as the attempt ends.
 *
 * `AbortSignal.timeout()` cannot be cancelled: every call left a timer behind that fired at the deadline, long
 * after the attempt had answered, and built a `TimeoutError` (a stack capture) for nobody — on a busy delivery
 * worker, thousands a second. `AbortSignal.any()` also registers each attempt with the caller's long-lived
 * signal. Both are avoided here.
 */
export class AttemptSignal {
  readonly #controller = new AbortController()
  readonly #timer: NodeJS.Timeout
  readonly #parent: AbortSignal | undefined
  readonly #onParentAbort: (() => void) | undefined
  /** True when the attempt's time ran out (not when the caller aborted). */
  timedOut = false

  constructor (ms: number, parent?: AbortSignal) {
    this.#timer = setTimeout(() => {
      this.timedOut = true
      this.#controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))
    }, ms)
    this.#timer.unref()
    this.#parent = parent
    if (parent === undefined) return
    if (parent.aborted) {
      this.#controller.abort(parent.reason)
      return
    }
    this.#onParentAbort = () => { this.#controller.abort(parent.reason) }
    parent.addEventListener('abort', this.#onParentAbort, { once: true })
  }

  get signal (): AbortSignal { return this.#controller.signal }

  /** Ends the attempt's claim on the timer and on the caller's signal. Idempotent. */
  release (): void {
    clearTimeout(this.#timer)
    if (this.#onParentAbort !== undefined) this.#parent?.removeEventListener('abort', this.#onParentAbort)
  }
}
