import type { FastifyInstance, FastifyRequest, onSendHookHandler } from 'fastify'

export interface AdminChange { entity: string, id: string, action: string, before?: unknown, after?: unknown }

/** Where a request keeps the change it made until its answer is sent (declared by `adminChangeAudit`). */
const kChange = Symbol('lienthong.adminChange')
type WithChange = FastifyRequest & { [kChange]?: AdminChange }

/**
 * Notes an admin change (who, what, before and after — secrets already masked), recorded when the answer is sent.
 * A change made by a person in the console names that person (their provider's `sub` and name), not a shared client.
 */
export function auditAdminChange (_app: FastifyInstance, request: FastifyRequest, change: AdminChange): void {
  (request as WithChange)[kChange] = change
}

/**
 * The admin routes' `onSend` hook: the change a request made is one `admin.change` event with the status the
 * client is answered (201 for a creation, 204 for a deletion…), not an assumed 200. The change is applied by
 * then: a full audit buffer is logged, it does not turn the answer into an error.
 */
export function adminChangeAudit (app: FastifyInstance): onSendHookHandler {
  app.decorateRequest(kChange, undefined)
  return async function recordAdminChange (request, reply, payload) {
    const change = (request as WithChange)[kChange]
    if (change === undefined || !app.hasDecorator('audit')) return payload
    try {
      app.audit.emit({
        kind: 'admin.change',
        outcome: 'ok',
        traceId: request.traceId,
        spanId: request.spanId,
        requestId: request.id,
        clientId: request.principal.clientId,
        endUser: request.principal.person?.sub,
        httpStatus: reply.statusCode,
        details: request.principal.person !== undefined ? { ...change, person: request.principal.person } : { ...change }
      })
    } catch (err) {
      request.log.error({ err: (err as Error).message, entity: change.entity, id: change.id, action: change.action }, 'admin change not recorded in the audit trail')
    }
    return payload
  }
}
