import type { FastifyInstance, FastifyRequest } from 'fastify'
import { auditDelivery } from '../../deliveries/audit.js'

/** One `procedure.action` event of the trail: what a client or an admin did to a case (supplement, cancel, retry, skip). */
export function auditProcedureAction (app: FastifyInstance, request: FastifyRequest, caseId: string,
  details: Record<string, unknown>, service?: string): void {
  auditDelivery(app, {
    kind: 'procedure.action',
    outcome: 'ok',
    traceId: request.traceId,
    spanId: request.spanId,
    requestId: request.id,
    clientId: request.principal.clientId,
    caseId,
    service,
    details
  })
}
