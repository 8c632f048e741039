import type { FastifyInstance, FastifyRequest } from 'fastify'

/**
 * Records an admin change in the audit trail (who, what, before and after — secrets already masked). A change
 * made by a person in the console names that person (their provider's `sub` and name), not a shared client.
 */
export function auditAdminChange (app: FastifyInstance, request: FastifyRequest,
  change: { entity: string, id: string, action: string, before?: unknown, after?: unknown }): void {
  if (!app.hasDecorator('audit')) return
  app.audit.emit({
    kind: 'admin.change',
    outcome: 'ok',
    traceId: request.traceId,
    spanId: request.spanId,
    requestId: request.id,
    clientId: request.principal.clientId,
    endUser: request.principal.person?.sub,
    httpStatus: 200,
    details: request.principal.person !== undefined ? { ...change, person: request.principal.person } : change
  })
}
