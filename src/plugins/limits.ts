import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import { RateLimited, ServiceUnavailable } from '../errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    limits: {
      /** preHandler enforcing the caller's per-second rate and daily quota for the service `serviceOf` names. */
      forService (serviceOf: (request: FastifyRequest) => string): preHandlerAsyncHookHandler
    }
  }
}

const DAY_MS = 86_400_000
const VN_OFFSET_MS = 7 * 3_600_000

/** The day in Asia/Ho_Chi_Minh (quotas reset at local midnight) and the seconds left in it. */
function vnDay (now = Date.now()): { day: string, secondsLeft: number } {
  const local = now + VN_OFFSET_MS
  return {
    day: new Date(local).toISOString().slice(0, 10),
    secondsLeft: Math.ceil((DAY_MS - (local % DAY_MS)) / 1000)
  }
}

/**
 * Rate limits and daily quotas per client and service, shared by every gateway instance through Redis.
 * Per second: @fastify/rate-limit with its Redis store and the IETF RateLimit-* headers. Per day: one Redis
 * counter per client, service and local day. Limits come from the client (`limits`, set by admins) or the
 * defaults of the config. With Redis unreachable, RATE_LIMIT_FAIL_OPEN decides: through (default) or 503.
 */
export default fp(async function limits (app) {
  const cfg = app.config
  await app.register(rateLimit, {
    global: false,
    hook: 'preHandler',
    redis: app.redis.client,
    nameSpace: `${cfg.queuePrefix}:rl:`,
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
      max: async (request) => request.principal.limits.perSecond ?? cfg.rateLimitPerSecond,
      timeWindow: 1000,
      keyGenerator: (request) => `${request.principal.clientId}:${serviceOf(request)}`
    }) as preHandlerAsyncHookHandler
    return async function rateAndQuota (request, reply) {
      await perSecond.call(this, request, reply)
      const perDay = request.principal.limits.perDay ?? cfg.quotaPerDay
      if (perDay <= 0) return
      const { day, secondsLeft } = vnDay()
      const key = `${cfg.queuePrefix}:quota:${request.principal.clientId}:${serviceOf(request)}:${day}`
      let used: number
      try {
        const [[, count]] = await app.redis.client.multi().incr(key).expire(key, 2 * 86_400).exec() as Array<[Error | null, number]>
        used = count
      } catch (err) {
        if (cfg.rateLimitFailOpen) return
        throw new ServiceUnavailable('Quotas cannot be checked right now; retry later', { cause: err })
      }
      void reply.header('x-quota-limit', String(perDay))
      void reply.header('x-quota-remaining', String(Math.max(0, perDay - used)))
      if (used > perDay) {
        throw Object.assign(new RateLimited(`Daily quota of ${perDay} requests for this service exceeded; it resets at midnight (Asia/Ho_Chi_Minh)`),
          { retryAfterSeconds: secondsLeft })
      }
    }
  }
  app.decorate('limits', { forService })
}, { name: 'limits', dependencies: ['config', 'redis'] })
