import { runtimeOptionsSchema } from '../../src/connectors/contract.js'

/** Config of a `population` instance. `apiKey` is a secret (write-only, masked on read). */
export const populationConfigSchema = {
  type: 'object',
  required: ['baseUrl'],
  additionalProperties: false,
  properties: {
    baseUrl: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
    changesPath: { type: 'string', pattern: '^/', maxLength: 1024 },
    probePath: { type: 'string', pattern: '^/', maxLength: 1024 },
    apiKeyHeader: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' },
    apiKey: { type: 'string', minLength: 1, maxLength: 4096 },
    runtime: runtimeOptionsSchema
  }
} as const

export interface PopulationConfig {
  baseUrl: string
  /** The change feed (default `/api/citizens/changes`). */
  changesPath?: string
  probePath?: string
  /** Header carrying `apiKey` (default `x-api-key`). */
  apiKeyHeader?: string
  apiKey?: string
  runtime?: unknown
}
