import { deliverySettingsSchema, runtimeOptionsSchema } from '../../src/connectors/contract.js'

const codeList = { type: 'array', items: { type: 'integer' }, maxItems: 100, uniqueItems: true } as const

/** Config of a `dvcqg` instance. `password` is a secret (write-only, masked on read). */
export const dvcqgConfigSchema = {
  type: 'object',
  required: ['baseUrl', 'username', 'password', 'dstcode', 'agencyCode'],
  additionalProperties: false,
  properties: {
    baseUrl: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
    paths: {
      type: 'object',
      additionalProperties: false,
      properties: {
        auth: { type: 'string', pattern: '^/', maxLength: 1024 },
        integration: { type: 'string', pattern: '^/', maxLength: 1024 }
      }
    },
    username: { type: 'string', minLength: 1, maxLength: 256 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
    dstcode: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[!-~]+$' },
    agencyCode: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[!-~]+$' },
    sessionTtlMs: { type: 'integer', minimum: 1000, maximum: 86_400_000 },
    lookupService: { type: 'string', maxLength: 64, pattern: '^[A-Za-z]*$' },
    feedService: { type: 'string', maxLength: 64, pattern: '^[A-Za-z]+$' },
    errorCodes: {
      type: 'object',
      additionalProperties: false,
      properties: {
        sessionInvalid: { type: 'integer' },
        dossierExists: { type: 'integer' },
        dossierNotFound: { type: 'integer' },
        retryable: codeList,
        permanent: codeList
      }
    },
    applicantTypes: {
      type: 'object',
      additionalProperties: false,
      required: ['person', 'organisation'],
      properties: {
        person: { type: 'string', minLength: 1, maxLength: 8 },
        organisation: { type: 'string', minLength: 1, maxLength: 8 }
      }
    },
    fileUrlBase: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
    delivery: deliverySettingsSchema,
    runtime: runtimeOptionsSchema
  }
} as const

export interface DvcqgConfig {
  baseUrl: string
  paths?: { auth?: string, integration?: string }
  username: string
  password: string
  dstcode: string
  agencyCode: string
  sessionTtlMs?: number
  lookupService?: string
  /** The portal's change feed service (default LayDanhSachThayDoiHoSo). */
  feedService?: string
  errorCodes?: { sessionInvalid?: number, dossierExists?: number, dossierNotFound?: number, retryable?: number[], permanent?: number[] }
  applicantTypes?: { person: string, organisation: string }
  fileUrlBase?: string
  delivery?: unknown
  runtime?: unknown
}

/** The codes of the portal's `error_code` (the simulator's, README.md), overridable per instance. */
export function errorCodesOf (config: DvcqgConfig): { sessionInvalid: number, dossierExists: number, dossierNotFound: number, retryable: Set<number>, permanent: Set<number> } {
  const c = config.errorCodes ?? {}
  return {
    sessionInvalid: c.sessionInvalid ?? -1,
    dossierExists: c.dossierExists ?? 3,
    dossierNotFound: c.dossierNotFound ?? 2,
    retryable: new Set(c.retryable ?? [99]),
    permanent: new Set(c.permanent ?? [1, 2, 3, 4, 5, 6])
  }
}
