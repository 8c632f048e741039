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

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/** Trace id and parent span of a W3C traceparent, when valid. */
export function parseTraceparent (tp: string | null | undefined): { traceId: string, spanId: string } | undefined {
  const m = typeof tp === 'string' ? TRACEPARENT.exec(tp) : null
  return m === null ? undefined : { traceId: m[1], spanId: m[2] }
}
