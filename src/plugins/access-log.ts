import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'

/**
 * Fastify's request logging with one access-log line per request instead of two ("incoming request" and "request
 * completed"): method, path without the query string (an auditor's `subject=` search carries an identifier),
 * status, duration, and the trace id that joins the line to the audit trail and the traces. Health probes and
 * metrics scrapes are logged at `debug`; a request that failed while answering at `error`.
 */
export class AccessLog extends LogController {
  override incomingRequest (): void {}

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const url = request.url
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    const line = { method: request.method, path, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, traceId: request.traceId }
    if (error != null) reply.log.error({ ...line, err: error }, 'request errored')
    else if (path.startsWith('/health') || path === '/metrics') reply.log.debug(line, 'request')
    else reply.log.info(line, 'request')
  }
}
