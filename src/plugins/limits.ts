import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import { RateLimited, ServiceUnavailable } from '../errors.js'
import { SharedCounters, type CounterHit } from '../limits/shared-counters.js'
import { sharedCountersStore } from '../limits/rate-limit-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    limits: {
      /** preHandler enforcing the caller's per-second rate and daily quota for the service `serviceOf` names. */
      forService (serviceOf: (request: FastifyRequest) => string): preHandlerAsyncHookHandler
    }
  }
}

const DAY_MS = 86_400_000
/** Quota days start at midnight in Asia/Ho_Chi_Minh (UTC+7, no daylight saving). */
const VN_OFFSET_MS = 7 * 3_600_000

/**
 * Rate limits and daily quotas per client and service, shared by every gateway instance through Redis.
 * Per second: @fastify/rate-limit (key generators, limits per client, the IETF RateLimit-* headers, 429s) over
 * `SharedCounters`, which counts in this instance and adds the counts to Redis in one pipeline every
 * RATE_LIMIT_SYNC_MS — no Redis round trip per request. Per day: the same counters with windows from midnight
 * in Vietnam. Limits come from the client (`limits`, set by admins) or the defaults of the config. With Redis
 * unreachable, RATE_LIMIT_FAIL_OPEN decides: counting goes on locally (default) or 503 once the counters are stale.
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
    hook: 'preHandler',
    store: sharedCountersStore(counters, `${cfg.queuePrefix}:rl:`),
    skipOnError: cfg.rateLimitFailOpen,
    enableDraftSpec: true,
    errorResponseBuilder: (_request, context) => Object.assign(
      new RateLimited(`Rate limit of ${context.max} requests per ${context.after} exceeded; retry in ${Math.ceil(context.ttl / 1000)} s`),
      { retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)) })
  })

  // Tokens: per client id and address, against secret guessing.
  const tokenLimiter = app.rateLimit({
    max: cfg.tokenRatePerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => {
      const body = request.body as { client_id?: unknown } | undefined
      return `token:${typeof body?.client_id === 'string' ? body.client_id.slice(0, 64) : '-'}:${request.ip}`
    }
  })
  app.addHook('onRoute', (route) => {
    if (route.url === '/v1/auth/token' && route.method === 'POST') {
      route.preHandler = [tokenLimiter, ...(Array.isArray(route.preHandler) ? route.preHandler : route.preHandler !== undefined ? [route.preHandler] : [])]
    }
  })

  function forService (serviceOf: (request: FastifyRequest) => string): preHandlerAsyncHookHandler {
    const perSecond = app.rateLimit({
      max: (request) => request.principal.limits.perSecond ?? cfg.rateLimitPerSecond,
      timeWindow: 1000,
      keyGenerator: (request) => `${request.principal.clientId}:${serviceOf(request)}`
    }) as preHandlerAsyncHookHandler
    return async function rateAndQuota (request, reply) {
      await perSecond.call(this, request, reply)
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
  app.decorate('limits', { forService })
}, { name: 'limits', dependencies: ['config', 'redis'] })
