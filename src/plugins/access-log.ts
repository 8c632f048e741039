import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify'

/** Per server logger, a child of it without redaction (src/logging.ts), made once. */
const unredacted = new WeakMap<FastifyBaseLogger, FastifyBaseLogger>()

function lineLogger (base: FastifyBaseLogger): FastifyBaseLogger {
  let log = unredacted.get(base)
  if (log === undefined) {
    log = base.child({}, { redact: { paths: [] } })
    unredacted.set(base, log)
  }
  return log
}

/**
 * Fastify's request logging with one access-log line per request instead of two ("incoming request" and "request
 * completed"): method, path without the query string (an auditor's `subject=` search carries an identifier),
 * status, duration, and the trace id that joins the line to the audit trail and the traces. Health probes and
 * metrics scrapes are logged at `debug`; a request that failed while answering at `error`.
 *
 * The line is written by the server's logger without redaction, with the request id as a field of its own (the
 * same JSON as a line of the request's child logger): every field of it is set here and none is a secret, and
 * redaction's wildcard paths cost more than the rest of the line (bench:stages, docs/performance.md). The error
 * line goes through the request's logger, redaction included.
 */
export class AccessLog extends LogController {
  override incomingRequest (): void {}

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const url = request.url
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    const ms = Math.round(reply.elapsedTime * 10) / 10
    if (error != null) {
      reply.log.error({ method: request.method, path, status: reply.statusCode, ms, traceId: request.traceId, err: error }, 'request errored')
      return
    }
    const line = { [this.requestIdLogLabel]: request.id, method: request.method, path, status: reply.statusCode, ms, traceId: request.traceId }
    if (path.startsWith('/health') || path === '/metrics') lineLogger(request.server.log).debug(line, 'request')
    else lineLogger(request.server.log).info(line, 'request')
  }
}
