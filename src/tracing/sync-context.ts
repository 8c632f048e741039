import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api'

/**
 * An OpenTelemetry context manager that keeps the active context for the synchronous extent of `context.with` only.
 *
 * Why not the SDK's AsyncLocalStorageContextManager: on Node 20 an AsyncLocalStorage, once `run` is called, turns on
 * async hooks for every promise of the process; measured on the lookup path, that alone cost more than the audit
 * trail (docs/performance.md). The gateway does not need implicit propagation: a request's span is kept on the
 * request, a job's trace context travels in the job, and both are handed on explicitly (trace-context.ts). What the
 * SDK itself runs in `context.with` (an exporter's "suppress tracing" around its own calls) is synchronous up to
 * the point where it matters, and the gateway instruments no HTTP client an exporter could use.
 */
export class SyncContextManager implements ContextManager {
  #current: Context = ROOT_CONTEXT

  active (): Context { return this.#current }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>> (ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const previous = this.#current
    this.#current = ctx
    try {
      return fn.call(thisArg, ...args)
    } finally {
      this.#current = previous
    }
  }

  bind<T> (ctx: Context, target: T): T {
    if (typeof target !== 'function') return target
    const self = this
    return function (this: unknown, ...args: unknown[]) {
      return self.with(ctx, () => (target as (...a: unknown[]) => unknown).apply(this, args))
    } as T
  }

  enable (): this { return this }

  disable (): this { this.#current = ROOT_CONTEXT; return this }
}
