import type { FastifyInstance } from 'fastify'
import type { AuditEventInput } from '../audit/types.js'

/**
 * Reports a delivery event to the audit trail when the audit plugin is loaded. A full audit buffer never fails
 * a delivery that is already durably recorded: the event is logged instead.
 */
export function auditDelivery (app: FastifyInstance, event: AuditEventInput): void {
  if (!app.hasDecorator('audit')) return
  try {
    app.audit.emit(event)
  } catch (err) {
    app.log.warn({ kind: event.kind, err: (err as Error).message, details: event.details }, 'audit event not recorded')
  }
}
