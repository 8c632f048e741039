import { pageQuery } from '../../lib/page.js'

/** Querystrings arrive as strings (no coercion): numbers and enums are declared as patterns. */
const text = (max: number): { type: 'string', minLength: 1, maxLength: number } => ({ type: 'string', minLength: 1, maxLength: max })

export interface EventsQuery {
  from?: string
  to?: string
  clientId?: string
  service?: string
  outcome?: string
  kind?: string
  caseId?: string
  traceId?: string
  subject?: string
  limit?: string
  cursor?: string
}

export const eventsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: text(40),
    to: text(40),
    clientId: text(64),
    service: text(64),
    outcome: { type: 'string', enum: ['ok', 'not_found', 'denied', 'invalid', 'error', 'retrying', 'failed'] },
    kind: { type: 'string', enum: ['lookup', 'delivery.accepted', 'delivery.attempted', 'delivery.delivered', 'delivery.failed', 'delivery.refused', 'auth.failed', 'admin.change', 'procedure.filed', 'procedure.step', 'procedure.action', 'event.received', 'event.rejected', 'event.delivery'] },
    caseId: text(128),
    traceId: { type: 'string', pattern: '^[0-9a-f]{32}$' },
    subject: text(64),
    ...pageQuery(1000, 50)
  }
} as const

/**
 * The same filters in a JSON body (POST /v1/audit/events/search, POST /v1/audit/export): the subject — a
 * personal id, tax code or insurance code — then never travels in a URL (browser history, proxies, access logs).
 */
export interface EventsSearch extends Omit<EventsQuery, 'limit'> { limit?: number }

export const eventsSearch = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...eventsQuery.properties,
    limit: { type: 'integer', minimum: 1, maximum: 1000 }
  }
} as const

/** The filters of the export (in the query or the body): those of the listing, without its pages. */
export const exportQuery = {
  type: 'object',
  additionalProperties: false,
  properties: (({ limit: _l, cursor: _c, ...filters }) => filters)(eventsQuery.properties)
} as const

export const traceParams = {
  type: 'object',
  required: ['traceId'],
  properties: { traceId: { type: 'string', pattern: '^[0-9a-f]{32}$' } }
} as const

export interface VerifyQuery { from?: string, to?: string, witness?: 'local' }

export const verifyQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { from: text(40), to: text(40), witness: { type: 'string', enum: ['local'] } }
} as const

export interface CheckpointsQuery { after?: string, limit?: string, cursor?: string }

export const checkpointsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    after: { type: 'string', pattern: '^(?:0|[1-9]\\d{0,18})$', description: 'Only the checkpoints numbered after this one (when no cursor is given).' },
    ...pageQuery(1000, 100)
  }
} as const

const nullable = (type: string): { type: string[] } => ({ type: [type, 'null'] })

/** One event of the trail as the auditor API shows it (docs/audit.md). */
export const auditEvent = {
  type: 'object',
  required: ['seq', 'id', 'at', 'kind', 'outcome', 'prevHash', 'hash'],
  properties: {
    seq: { type: 'string', description: 'Position in the chain' },
    id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    kind: eventsQuery.properties.kind,
    outcome: eventsQuery.properties.outcome,
    traceId: nullable('string'),
    spanId: nullable('string'),
    requestId: nullable('string'),
    clientId: nullable('string'),
    endUser: nullable('string'),
    purpose: nullable('string'),
    caseId: nullable('string'),
    service: nullable('string'),
    connector: nullable('string'),
    httpStatus: nullable('integer'),
    upstreamStatus: nullable('integer'),
    durationMs: nullable('number'),
    upstreamDurationMs: nullable('number'),
    requestBytes: nullable('integer'),
    responseBytes: nullable('integer'),
    requestHash: nullable('string'),
    responseHash: nullable('string'),
    errorCode: nullable('string'),
    subjects: { type: 'array', items: { type: 'string' }, description: 'Keyed hashes of the personal identifiers concerned' },
    details: { type: ['object', 'null'], additionalProperties: true },
    prevHash: { type: 'string' },
    hash: { type: 'string' }
  }
} as const

export const traceAnswer = {
  type: 'object',
  required: ['traceId', 'startedAt', 'durationMs', 'hops', 'events'],
  properties: {
    traceId: { type: 'string' },
    startedAt: nullable('string'),
    durationMs: { type: 'number' },
    hops: {
      type: 'array',
      items: {
        type: 'object',
        required: ['hop', 'at', 'sinceStartMs', 'eventId', 'kind'],
        additionalProperties: true,
        properties: {
          hop: { type: 'string' },
          at: { type: 'string', format: 'date-time' },
          sinceStartMs: { type: 'number' },
          durationMs: { type: 'number' },
          eventId: { type: 'string' },
          kind: { type: 'string' },
          service: { type: 'string' },
          connector: { type: 'string' }
        }
      }
    },
    events: { type: 'integer', description: 'How many audit events the hops come from' }
  }
} as const

export const verifyAnswer = {
  type: 'object',
  required: ['ok', 'checked'],
  properties: {
    ok: { type: 'boolean' },
    checked: { type: 'integer', description: 'Events whose hash and link were recomputed' },
    firstBadEventId: { type: 'string' },
    reason: { type: 'string', description: 'content, link, missing-predecessor, missing-tail or checkpoint' },
    altered: { type: 'object', additionalProperties: true, description: 'The events a rewrite changed, between two signed checkpoints' },
    coverage: { type: 'object', additionalProperties: true, description: 'Which events the valid checkpoints cover, which are newer' },
    checkpoints: { type: 'object', additionalProperties: true, description: 'The signed checkpoints checked: valid, time-stamped, problems' },
    witness: { type: 'object', additionalProperties: true, description: 'The witness compared with the stored checkpoints' }
  }
} as const

export const eventParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' } }
} as const
