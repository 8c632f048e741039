import fp from 'fastify-plugin'

/**
 * One access-log line per request, written when the response is done (fastify's own two lines, "incoming request"
 * and "request completed", are switched off in `buildApp`): method, path without the query string, status,
 * duration, and the trace id that joins the line to the audit trail and the traces. Health probes and metrics
 * scrapes are logged at `debug`.
 */
export default fp(async function accessLog (app) {
  app.addHook('onResponse', async (request, reply) => {
    const url = request.url
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    const line = { method: request.method, path, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, traceId: request.traceId }
    if (path.startsWith('/health') || path === '/metrics') request.log.debug(line, 'request')
    else request.log.info(line, 'request')
  })
}, { name: 'access-log' })
