import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import { ServiceUnavailable } from '../errors.js'
import { CountersUnavailable, type SharedCounters } from './shared-counters.js'

type Callback = Parameters<FastifyRateLimitStore['incr']>[1]

/** What the plugin passes to `child` at run time (its typings name other fields). */
interface RouteInfo { routeInfo?: { method?: string, url?: string } }

const refusal = (err: unknown): Error => err instanceof CountersUnavailable
  ? new ServiceUnavailable('Rate limits cannot be checked right now; retry later', { cause: err })
  : err as Error

/**
 * A @fastify/rate-limit store over `SharedCounters`: the plugin keeps its key generators, limits per client,
 * headers and 429s; the counting is local and synchronised with Redis in batches (see SharedCounters).
 */
export function sharedCountersStore (counters: SharedCounters, prefix: string): FastifyRateLimitStoreCtor {
  return class SharedCountersStore implements FastifyRateLimitStore {
    readonly #prefix: string

    constructor (_options?: unknown, keyPrefix = prefix) {
      this.#prefix = keyPrefix
    }

    incr (key: string, cb: Callback, timeWindow: number): void {
      counters.hit(this.#prefix + key, timeWindow).then(
        (r) => { cb(null, { current: r.current, ttl: r.resetMs }) },
        (err) => { cb(refusal(err)) })
    }

    read (key: string, cb: Callback, timeWindow: number): void {
      const r = counters.peek(this.#prefix + key, timeWindow)
      cb(null, { current: r.current, ttl: r.resetMs })
    }

    child (routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): SharedCountersStore {
      const route = (routeOptions as RouteInfo).routeInfo
      return new SharedCountersStore(undefined, `${this.#prefix}${route?.method ?? ''}${route?.url ?? ''}-`)
    }
  }
}
