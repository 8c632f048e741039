/** JSON Schemas of the subscription routes (request bodies strict and bounded; views for the OpenAPI document). */

const codes = (pattern: string, maxItems: number): Record<string, unknown> =>
  ({ type: 'array', maxItems, uniqueItems: true, items: { type: 'string', pattern } })

const filter = {
  type: 'object',
  additionalProperties: false,
  description: 'Every list given must contain the event\'s value (today\'s province and commune codes; agency ids; procedure codes, national or local). An absent or empty list matches anything.',
  properties: {
    provinces: codes('^\\d{2}$', 64),
    communes: codes('^\\d{5}$', 1000),
    agencies: codes('^[A-Za-z0-9.-]{1,32}$', 200),
    procedures: codes('^\\d\\.\\d{6}(\\.[0-9A-Z.]{1,40})?$', 200)
  }
} as const

const retryPolicy = {
  type: 'object',
  additionalProperties: false,
  description: 'Attempts before a dead letter, and the exponential backoff (with jitter) between them; within the admin\'s bounds (EVENTS_RETRY_*).',
  properties: {
    attempts: { type: 'integer', minimum: 1, maximum: 1000 },
    baseDelayMs: { type: 'integer', minimum: 0, maximum: 86_400_000 },
    maxDelayMs: { type: 'integer', minimum: 0, maximum: 604_800_000 }
  }
} as const

const writable = {
  clientId: { description: 'The subscriber: a client with the role system (it pulls with its own token).', type: 'string', pattern: '^[A-Za-z0-9._-]{3,64}$' },
  eventTypes: { type: 'array', minItems: 1, maxItems: 20, uniqueItems: true, items: { type: 'string', maxLength: 64 } },
  filter,
  callbackUrl: {
    description: 'Where webhooks are sent (inside the outbound allowlist); null or absent: the subscriber pulls GET /v1/events.',
    anyOf: [{ type: 'string', minLength: 1, maxLength: 2048 }, { type: 'null' }]
  },
  purpose: { description: 'The declared purpose (legal basis) of receiving these events; recorded with every delivery in the audit trail.', type: 'string', minLength: 1, maxLength: 500 },
  retryPolicy,
  enabled: { type: 'boolean' }
} as const

export const subscriptionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['clientId', 'eventTypes', 'purpose'],
  properties: writable
} as const

const secretView = { type: 'object', properties: { id: { type: 'string' }, createdAt: { type: 'string' }, expiresAt: { type: ['string', 'null'] } } }

/** PUT takes what GET gives: the read-only members are accepted and ignored (the id must be the path's). */
export const subscriptionReplace = {
  type: 'object',
  additionalProperties: false,
  required: ['clientId', 'eventTypes', 'purpose'],
  properties: {
    ...writable,
    id: { type: 'string', maxLength: 64 },
    delivery: { type: 'string', enum: ['webhook', 'pull'] },
    secrets: { type: 'array', maxItems: 20 },
    createdAt: { type: 'string', maxLength: 64 },
    updatedAt: { type: 'string', maxLength: 64 }
  }
} as const

export const subscriptionViewSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    clientId: { type: 'string' },
    eventTypes: { type: 'array', items: { type: 'string' } },
    filter: {
      type: 'object',
      properties: {
        provinces: { type: 'array', items: { type: 'string' } },
        communes: { type: 'array', items: { type: 'string' } },
        agencies: { type: 'array', items: { type: 'string' } },
        procedures: { type: 'array', items: { type: 'string' } }
      }
    },
    callbackUrl: { type: ['string', 'null'] },
    delivery: { type: 'string', enum: ['webhook', 'pull'] },
    purpose: { type: 'string' },
    retryPolicy: { type: 'object', properties: { attempts: { type: 'integer' }, baseDelayMs: { type: 'integer' }, maxDelayMs: { type: 'integer' } } },
    enabled: { type: 'boolean' },
    secrets: { type: 'array', items: secretView },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' }
  }
} as const

const STATUSES = ['pending', 'delivering', 'retrying', 'delivered', 'failed']

export const deliverySearch = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: STATUSES },
    eventType: { type: 'string', maxLength: 64 },
    eventId: { type: 'string', pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' },
    caseId: { type: 'string', maxLength: 64 },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' }
  }
} as const

export const deliveryItem = {
  type: 'object',
  properties: {
    eventId: { type: 'string' },
    eventType: { type: 'string' },
    position: { type: 'string' },
    status: { type: 'string', enum: STATUSES },
    attempts: { type: 'integer' },
    caseId: { type: 'string' },
    occurredAt: { type: 'string' },
    createdAt: { type: 'string' },
    lastAttemptAt: { type: 'string' },
    lastStatus: { type: 'integer' },
    lastError: { type: 'string' },
    lastDurationMs: { type: 'number' },
    nextAttemptAt: { type: 'string' },
    deliveredAt: { type: 'string' }
  }
} as const
