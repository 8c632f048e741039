/**
 * The audit trail's input: what any part of the gateway reports. Personal identifiers are handed over in
 * clear in `subjects` and never stored so: the audit writer keeps only keyed hashes (HMAC with AUDIT_KEY).
 */
export type AuditKind =
  | 'lookup'
  | 'delivery.accepted'
  | 'delivery.attempted'
  | 'delivery.delivered'
  | 'delivery.failed'
  | 'delivery.refused'
  | 'auth.failed'
  | 'admin.change'
  | 'procedure.filed'
  | 'procedure.step'
  | 'procedure.action'
  | 'event.received'
  | 'event.rejected'
  | 'event.delivery'

export type AuditOutcome = 'ok' | 'not_found' | 'denied' | 'invalid' | 'error' | 'retrying' | 'failed'

export interface AuditEventInput {
  kind: AuditKind
  outcome: AuditOutcome
  at?: Date
  traceId?: string
  spanId?: string
  requestId?: string
  clientId?: string
  endUser?: string
  purpose?: string
  caseId?: string
  service?: string
  connector?: string
  httpStatus?: number
  upstreamStatus?: number
  durationMs?: number
  upstreamDurationMs?: number
  requestBytes?: number
  responseBytes?: number
  /** sha256 hex of the request / response body (bodies themselves are not stored by default). */
  requestHash?: string
  responseHash?: string
  /**
   * Or the bodies themselves, when at hand (lookups): the writer keeps only their keyed hash and drops them —
   * cheaper than a sha256 here and a keyed hash of it there.
   */
  requestBody?: string | Uint8Array
  responseBody?: string | Uint8Array
  errorCode?: string
  /** Personal identifiers concerned, IN CLEAR: hashed with the audit key before anything is stored. */
  subjects?: string[]
  /** Subjects already in their stored form (keyed hashes from `AuditKeyring.subject`): events carry only these. */
  subjectHashes?: string[]
  /** Free structured details (admin before/after with secrets masked, delivery id, attempt number). No identifiers. */
  details?: Record<string, unknown>
}

export interface AuditSink {
  /** False when the buffer is full: callers that must not run unaudited (lookups) answer 503 instead. */
  accepting (): boolean
  /** Buffers one event; never blocks the caller. Throws ServiceUnavailable when the buffer is full. */
  emit (event: AuditEventInput): void
}

declare module 'fastify' {
  interface FastifyInstance { audit: AuditSink }
}
