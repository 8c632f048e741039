import { randomBytes } from 'node:crypto'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyRequest {
    /** W3C trace id of this exchange (the caller's when a valid `traceparent` came in). */
    traceId: string
    /** This hop's span id (16 hex). */
    spanId: string
  }
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const ZERO_TRACE = '0'.repeat(32)

/**
 * Request correlation: honours a caller's `traceparent` (W3C trace context) and answers with the trace
 * context of this hop and `x-request-id` on every response, errors included.
 */
export default fp(async function requestContext (app) {
  app.decorateRequest('traceId', '')
  app.decorateRequest('spanId', '')
  app.addHook('onRequest', async (request, reply) => {
    const incoming = request.headers.traceparent
    const m = typeof incoming === 'string' ? TRACEPARENT.exec(incoming) : null
    request.traceId = m !== null && m[1] !== ZERO_TRACE ? m[1] : randomBytes(16).toString('hex')
    request.spanId = randomBytes(8).toString('hex')
    void reply.header('x-request-id', request.id)
    void reply.header('traceparent', `00-${request.traceId}-${request.spanId}-01`)
  })
}, { name: 'request-context' })
