import fp from 'fastify-plugin'
import { endRequestSpan, formatTraceparent, kRequestSpan, requestTraceIds, tracingActive } from '../tracing/trace-context.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** W3C trace id of this exchange (the caller's when a valid `traceparent` came in). */
    traceId: string
    /** This hop's span id (16 hex): the OpenTelemetry request span when tracing is on. */
    spanId: string
    /** This hop's W3C trace context as answered to the caller (sampled flag included): what queued work continues. */
    traceparent: string
  }
}

/**
 * Request correlation: honours a caller's `traceparent` (W3C trace context) and answers with the trace
 * context of this hop and `x-request-id` on every response, errors included. With the OpenTelemetry SDK
 * loaded (src/tracing.ts), the ids are those of the request's SERVER span, started here and ended when the
 * response is sent (or the caller goes away).
 */
export default fp(async function requestContext (app) {
  app.decorateRequest('traceId', '')
  app.decorateRequest('spanId', '')
  app.decorateRequest('traceparent', '')
  app.addHook('onRequest', (request, reply, done) => {
    const ids = requestTraceIds(request)
    request.traceId = ids.traceId
    request.spanId = ids.spanId
    request.traceparent = formatTraceparent(ids)
    void reply.header('x-request-id', request.id)
    void reply.header('traceparent', request.traceparent)
    done()
  })
  if (tracingActive()) {
    // the request's span, declared up front so that every request object keeps one shape
    app.decorateRequest(kRequestSpan, undefined)
    app.addHook('onResponse', (request, reply, done) => { endRequestSpan(request, reply); done() })
    app.addHook('onRequestAbort', (request, done) => { endRequestSpan(request); done() })
  }
}, { name: 'request-context' })
