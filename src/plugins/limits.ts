import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { RateLimited, ServiceUnavailable } from '../errors.js'
import { SharedCounters, type CounterHit } from '../limits/shared-counters.js'
import { sharedCountersStore } from '../limits/rate-limit-store.js'
import { windowText } from '../limits/window-text.js'

/** A hook (onRequest or preHandler, or called from a handler) that counts the request and refuses it over the limit. */
export type LimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>

export interface LimitSpec {
  /** What is limited, for the 429's detail: "token requests from this address". */
  what: string
  max: number | ((request: FastifyRequest) => number)
  windowMs: number
  key: (request: FastifyRequest) => string
}

declare module 'fastify' {
  interface FastifyInstance {
    limits: {
      /**
       * onRequest hook (after `app.authenticate`) enforcing the caller's per-second rate and daily quota for the
       * service `serviceOf` names: it runs before the body is read, so a client over its limit costs a refusal only.
       */
      forService (serviceOf: (request: FastifyRequest) => string): LimitHook
      /** A limit of its own (the token endpoint's, per address and per credentials). */
      limit (spec: LimitSpec): LimitHook
    }
  }
}

const DAY_MS = 86_400_000
/** Quota days start at midnight in Asia/Ho_Chi_Minh (UTC+7, no daylight saving). */
const VN_OFFSET_MS = 7 * 3_600_000

/**
 * Rate limits and daily quotas per client and service, shared by every gateway instance through Redis.
 * Per window: @fastify/rate-limit's `createRateLimit` (key generators, limits per client) over `SharedCounters`,
 * which counts in this instance and adds the counts to Redis in one pipeline every RATE_LIMIT_SYNC_MS — no Redis
 * round trip per request. The refusal is ours: the IETF RateLimit-* headers, Retry-After, and a detail that names
 * the real window (the plugin's own hook runs once per request and its message states the time left, not the
 * window). Per day: the same counters with windows from midnight in Vietnam. Limits come from the client
 * (`limits`, set by admins) or the defaults of the config. With Redis unreachable, RATE_LIMIT_FAIL_OPEN decides:
 * counting goes on locally (default) or 503 once the counters are stale.
 */
export default fp(async function limits (app) {
  const cfg = app.config
  const counters = new SharedCounters(app.redis.client, {
    syncMs: cfg.rateLimitSyncMs,
    staleMs: Math.max(1000, 5 * cfg.rateLimitSyncMs),
    failOpen: cfg.rateLimitFailOpen,
    onSyncError: (err) => { app.log.warn({ err: err.message }, 'rate-limit counters not synchronised with Redis') }
  })
  app.addHook('onClose', async () => { await counters.close() })
  await app.register(rateLimit, {
    global: false,
    store: sharedCountersStore(counters, `${cfg.queuePrefix}:rl:`),
    skipOnError: cfg.rateLimitFailOpen
  })

  function limit (spec: LimitSpec): LimitHook {
    const check = app.createRateLimit({ max: spec.max, timeWindow: spec.windowMs, keyGenerator: spec.key })
    return async function rateLimited (request, reply) {
      const r = await check(request)
      if (r.isAllowed) return
      void reply.header('ratelimit-limit', String(r.max))
      void reply.header('ratelimit-remaining', String(r.remaining))
      void reply.header('ratelimit-reset', String(r.ttlInSeconds))
      if (!r.isExceeded) return
      const retry = Math.max(1, r.ttlInSeconds)
      throw Object.assign(new RateLimited(`Rate limit of ${r.max} ${spec.what} per ${windowText(spec.windowMs)} exceeded; retry in ${retry} s`),
        { retryAfterSeconds: retry })
    }
  }

  function forService (serviceOf: (request: FastifyRequest) => string): LimitHook {
    const perSecond = limit({
      what: 'requests for this service',
      max: (request) => request.principal.limits.perSecond ?? cfg.rateLimitPerSecond,
      windowMs: 1000,
      key: (request) => `${request.principal.clientId}:${serviceOf(request)}`
    })
    return async function rateAndQuota (request, reply) {
      await perSecond(request, reply)
      const perDay = request.principal.limits.perDay ?? cfg.quotaPerDay
      if (perDay <= 0) return
      let used: CounterHit
      try {
        used = await counters.hit(`${cfg.queuePrefix}:quota:${request.principal.clientId}:${serviceOf(request)}`, DAY_MS, VN_OFFSET_MS)
      } catch (err) {
        throw new ServiceUnavailable('Quotas cannot be checked right now; retry later', { cause: err })
      }
      void reply.header('x-quota-limit', String(perDay))
      void reply.header('x-quota-remaining', String(Math.max(0, perDay - used.current)))
      if (used.current > perDay) {
        throw Object.assign(new RateLimited(`Daily quota of ${perDay} requests for this service exceeded; it resets at midnight (Asia/Ho_Chi_Minh)`),
          { retryAfterSeconds: Math.ceil(used.resetMs / 1000) })
      }
    }
  }
  app.decorate('limits', { forService, limit })
}, { name: 'limits', dependencies: ['config', 'redis'] })
