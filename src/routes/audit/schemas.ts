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
    kind: { type: 'string', enum: ['lookup', 'delivery.accepted', 'delivery.attempted', 'delivery.delivered', 'delivery.failed', 'auth.failed', 'admin.change'] },
    caseId: text(128),
    traceId: { type: 'string', pattern: '^[0-9a-f]{32}$' },
    subject: text(64),
    limit: { type: 'string', pattern: '^(?:[1-9]\\d{0,2}|1000)$' },
    cursor: text(64)
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

export const rangeQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { from: text(40), to: text(40) }
} as const

export const traceParams = {
  type: 'object',
  required: ['traceId'],
  properties: { traceId: { type: 'string', pattern: '^[0-9a-f]{32}$' } }
} as const

export const eventParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' } }
} as const
