import { GRANTABLE } from '../../catalog/services.js'
import { AGENCY_PATTERN_SOURCE, MAX_AGENCIES, agencyPatternError } from '../../auth/agencies.js'
import { MAX_PURPOSES, PURPOSE_CODE } from '../../auth/grants.js'
import { ValidationFailed } from '../../errors.js'

/** JSON Schemas of a client's fields, shared by the admin clients API and the declarative config. */

export const CLIENT_ID = { type: 'string', pattern: '^[A-Za-z0-9._-]{3,64}$' }
export const ROLES = { type: 'array', items: { type: 'string', enum: ['system', 'admin', 'auditor'] }, minItems: 1, maxItems: 3, uniqueItems: true }
const SERVICE_ID = { type: 'string', enum: GRANTABLE.map((s) => s.id) }

/** A service id (any national procedure code as purpose), or `{ service, purposes }`. */
export const GRANTS = {
  type: 'array',
  maxItems: 100,
  items: {
    anyOf: [
      SERVICE_ID,
      {
        type: 'object',
        additionalProperties: false,
        required: ['service', 'purposes'],
        properties: {
          service: SERVICE_ID,
          purposes: { type: 'array', minItems: 1, maxItems: MAX_PURPOSES, uniqueItems: true, items: { type: 'string', pattern: PURPOSE_CODE.source } }
        }
      }
    ]
  }
}

/** Agency ids, or patterns whose segments may be `*` (src/auth/agencies.ts). */
export const AGENCIES = { type: 'array', maxItems: MAX_AGENCIES, uniqueItems: true, items: { type: 'string', pattern: AGENCY_PATTERN_SOURCE } }

/** A client as answered (no secret material). */
export const clientView = {
  type: 'object',
  required: ['id', 'name', 'roles', 'grants', 'agencies', 'enabled', 'limits', 'createdAt', 'updatedAt', 'secretRotatedAt', 'version'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    grants: {
      type: 'array',
      items: { anyOf: [{ type: 'string' }, { type: 'object', properties: { service: { type: 'string' }, purposes: { type: 'array', items: { type: 'string' } } } }] }
    },
    agencies: { type: 'array', items: { type: 'string' } },
    enabled: { type: 'boolean' },
    limits: { type: 'object', properties: { perSecond: { type: 'integer' }, perDay: { type: 'integer' } } },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    secretRotatedAt: { type: 'string', format: 'date-time' },
    version: { type: 'integer' }
  }
}

/**
 * What the schemas cannot say of grants and agencies: one grant per service, no `*.*.*.*`. Paths are prefixed
 * with `at` (`/clients/3`).
 */
export function clientRuleErrors (c: { grants?: Array<string | { service: string }>, agencies?: string[] }, at = ''): Array<{ path: string, message: string }> {
  const errors: Array<{ path: string, message: string }> = []
  const seen = new Set<string>()
  c.grants?.forEach((g, i) => {
    const service = typeof g === 'string' ? g : g.service
    if (seen.has(service)) errors.push({ path: `${at}/grants/${i}`, message: `grants ${service} twice` })
    seen.add(service)
  })
  c.agencies?.forEach((a, i) => {
    const why = agencyPatternError(a)
    if (why !== undefined) errors.push({ path: `${at}/agencies/${i}`, message: why })
  })
  return errors
}

/** Throws a 400 naming every rule a client breaks. */
export function assertClientRules (c: Parameters<typeof clientRuleErrors>[0], at = ''): void {
  const errors = clientRuleErrors(c, at)
  if (errors.length > 0) throw Object.assign(new ValidationFailed('Invalid grants or agencies'), { errors })
}
