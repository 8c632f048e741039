import { getHeapStatistics } from 'node:v8'
import fp from 'fastify-plugin'
import underPressure from '@fastify/under-pressure'
import cors from '@fastify/cors'
import { ServiceUnavailable } from '../errors.js'
import { securityHeaders } from './security-headers.js'

/** How often @fastify/under-pressure reads the event-loop delay (its mean over the window before). */
const SAMPLE_MS = 1000

/**
 * Overload shedding and response hygiene. Under pressure (event-loop delay, heap, RSS over their bounds)
 * the gateway answers a fast 503 with Retry-After instead of queueing work it cannot finish. The event-loop delay
 * read in the first two windows after start measures the start's own synchronous work (schemas compiled, tables
 * loaded), not load: it sheds nothing until those windows have passed (heap and RSS count from the start). Security
 * headers on every response (the docs pages set their own CSP). CORS is closed unless CORS_ORIGINS lists
 * the browser origins allowed.
 */
export default fp(async function protection (app) {
  const cfg = app.config
  let delayCountsFrom = Infinity
  app.addHook('onReady', (done) => { delayCountsFrom = performance.now() + 2 * SAMPLE_MS; done() })
  await app.register(underPressure, {
    sampleInterval: SAMPLE_MS,
    maxEventLoopDelay: cfg.maxEventLoopDelayMs,
    // 0: 90 % of V8's heap limit (--max-old-space-size=192 in `npm start`): a fast 503 rather than running out of memory
    maxHeapUsedBytes: cfg.maxHeapUsedBytes > 0 ? cfg.maxHeapUsedBytes : Math.floor(getHeapStatistics().heap_size_limit * 0.9),
    maxRssBytes: cfg.maxRssBytes,
    retryAfter: 5,
    pressureHandler: (_request, _reply, type, value) => {
      if (!Number.isFinite(Number(value))) return
      if (type === 'eventLoopDelay' && performance.now() < delayCountsFrom) return
      throw Object.assign(new ServiceUnavailable(`The gateway is overloaded (${type} ${Math.round(Number(value))}); retry later`), { retryAfterSeconds: 5 })
    }
  })
  const headers = securityHeaders()
  app.addHook('onRequest', (_request, reply, done) => { void reply.headers(headers); done() })
  if (cfg.corsOrigins.length > 0) {
    await app.register(cors, { origin: cfg.corsOrigins, methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], maxAge: 600 })
  }
}, { name: 'protection', dependencies: ['config'] })
