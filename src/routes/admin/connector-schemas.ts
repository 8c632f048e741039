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

/** What GET answers, sent back: `version` (optional) makes the write conditional on the instance not having changed. */
export const connectorReplace = {
  type: 'object',
  required: ['type', 'services', 'config'],
  additionalProperties: false,
  properties: {
    id: CONNECTOR_ID,
    ...body,
    version: { type: 'integer', minimum: 1, description: 'The version read: the write is refused (409) if the instance changed since.' }
  }
} as const

export const connectorView = {
  type: 'object',
  required: ['id', 'type', 'services', 'provinces', 'config', 'enabled', 'version'],
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    services: { type: 'array', items: { type: 'string' } },
    provinces: { anyOf: [{ type: 'null' }, { type: 'array', items: { type: 'string' } }] },
    config: { type: 'object', additionalProperties: true, description: 'As the type\'s configSchema says; secret fields masked' },
    enabled: { type: 'boolean' },
    version: { type: 'integer', description: 'Moves on with every change' }
  }
} as const

export const connectorType = {
  type: 'object',
  required: ['type', 'version', 'services', 'secretFields', 'configSchema'],
  properties: {
    type: { type: 'string' },
    version: { type: 'string' },
    description: { type: 'string' },
    services: { type: 'array', items: { type: 'string' } },
    secretFields: { type: 'array', items: { type: 'string' }, description: 'JSON Pointers of the config fields that are secrets' },
    configSchema: { type: 'object', additionalProperties: true, description: 'JSON Schema of an instance\'s config' }
  }
} as const

export const connectorHealth = {
  type: 'object',
  required: ['id', 'state', 'circuit'],
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: ['up', 'degraded', 'down'] },
    circuit: { type: 'string', enum: ['closed', 'open', 'half-open'] },
    lastCheckAt: { type: ['string', 'null'] },
    lastCheckOk: { type: ['boolean', 'null'] },
    lastCheckError: { type: 'string' },
    p50Ms: { type: ['number', 'null'] },
    p99Ms: { type: ['number', 'null'] },
    errorRate: { type: 'number' },
    calls: { type: 'integer' },
    detail: { type: 'string' }
  }
} as const

export interface ConnectorBody {
  id?: string
  version?: number
  type: string
  services: string[]
  provinces?: string[] | null
  config: Record<string, unknown>
  enabled?: boolean
}
