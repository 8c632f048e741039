import { runtimeOptionsSchema } from '../../src/connectors/contract.js'

/** Config of a `rest-json` instance. `auth.value` and `auth.clientSecret` are secrets (write-only). */
export const restJsonConfigSchema = {
  type: 'object',
  required: ['baseUrl', 'operations'],
  additionalProperties: false,
  properties: {
    baseUrl: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
    operations: {
      type: 'object',
      minProperties: 1,
      additionalProperties: {
        type: 'object',
        required: ['path'],
        additionalProperties: false,
        properties: {
          method: { type: 'string', enum: ['POST', 'GET'], default: 'POST' },
          path: { type: 'string', pattern: '^/', maxLength: 1024 }
        }
      }
    },
    probePath: { type: 'string', pattern: '^/', maxLength: 1024 },
    auth: {
      oneOf: [
        { type: 'object', required: ['type'], additionalProperties: false, properties: { type: { const: 'none' } } },
        {
          type: 'object',
          required: ['type', 'name', 'value'],
          additionalProperties: false,
          properties: {
            type: { const: 'header' },
            name: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' },
            value: { type: 'string', minLength: 1, maxLength: 4096 }
          }
        },
        {
          type: 'object',
          required: ['type', 'tokenUrl', 'clientId', 'clientSecret'],
          additionalProperties: false,
          properties: {
            type: { const: 'oauth2' },
            tokenUrl: { type: 'string', format: 'uri', pattern: '^https?://' },
            clientId: { type: 'string', minLength: 1, maxLength: 256 },
            clientSecret: { type: 'string', minLength: 1, maxLength: 4096 },
            scope: { type: 'string', maxLength: 1024 }
          }
        }
      ]
    },
    runtime: runtimeOptionsSchema
  }
} as const

export type RestJsonAuth =
  | { type: 'none' }
  | { type: 'header', name: string, value: string }
  | { type: 'oauth2', tokenUrl: string, clientId: string, clientSecret: string, scope?: string }

export interface RestJsonConfig {
  baseUrl: string
  operations: Record<string, { method?: 'POST' | 'GET', path: string }>
  probePath?: string
  auth?: RestJsonAuth
  runtime?: unknown
}
