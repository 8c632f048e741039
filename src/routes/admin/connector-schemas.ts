/** Request and response shapes of the connector admin API (architecture.md §3.5). */
export const CONNECTOR_ID = { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{1,63}$' } as const

const body = {
  type: { type: 'string', minLength: 1, maxLength: 64 },
  services: { type: 'array', items: { type: 'string', maxLength: 64 }, minItems: 1, maxItems: 20, uniqueItems: true },
  provinces: { anyOf: [{ type: 'null' }, { type: 'array', items: { type: 'string', maxLength: 2 }, maxItems: 100, uniqueItems: true }] },
  config: { type: 'object' },
  enabled: { type: 'boolean' }
}

export const connectorCreate = {
  type: 'object',
  required: ['id', 'type', 'services', 'config'],
  additionalProperties: false,
  properties: { id: CONNECTOR_ID, ...body }
} as const

export const connectorReplace = {
  type: 'object',
  required: ['type', 'services', 'config'],
  additionalProperties: false,
  properties: { id: CONNECTOR_ID, ...body }
} as const

export const connectorView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    services: { type: 'array', items: { type: 'string' } },
    provinces: { anyOf: [{ type: 'null' }, { type: 'array', items: { type: 'string' } }] },
    config: { type: 'object', additionalProperties: true },
    enabled: { type: 'boolean' },
    version: { type: 'integer' }
  }
} as const

export interface ConnectorBody {
  id?: string
  type: string
  services: string[]
  provinces?: string[] | null
  config: Record<string, unknown>
  enabled?: boolean
}
