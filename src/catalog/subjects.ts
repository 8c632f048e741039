import type { ServiceDefinition } from './services.js'

/**
 * The personal identifiers a request body carries, read from the service's `subjectFields` (dotted paths).
 * Only non-empty strings are returned; the caller hashes them for the audit trail and never stores them in clear.
 */
export function subjectValues (service: ServiceDefinition, body: unknown): string[] {
  const values: string[] = []
  for (const field of service.subjectFields) {
    let value: unknown = body
    for (const key of field.split('.')) {
      value = typeof value === 'object' && value !== null && Object.hasOwn(value, key)
        ? (value as Record<string, unknown>)[key]
        : undefined
    }
    if (typeof value === 'string' && value !== '') values.push(value)
  }
  return values
}
