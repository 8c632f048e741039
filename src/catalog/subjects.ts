import type { ServiceDefinition } from './services.js'

/** The value at a dotted path (`applicant.personalId`) of a JSON value, own properties only; undefined if absent. */
export function valueAt (body: unknown, path: string): unknown {
  let value: unknown = body
  for (const key of path.split('.')) {
    value = typeof value === 'object' && value !== null && Object.hasOwn(value, key)
      ? (value as Record<string, unknown>)[key]
      : undefined
  }
  return value
}

/** The non-empty strings at these dotted paths of a body. */
export function stringsAt (body: unknown, paths: readonly string[]): string[] {
  const values: string[] = []
  for (const field of paths) {
    const value = valueAt(body, field)
    if (typeof value === 'string' && value !== '') values.push(value)
  }
  return values
}

/**
 * The personal identifiers a request body carries, read from the service's `subjectFields` (dotted paths).
 * Only non-empty strings are returned; the caller hashes them for the audit trail and never stores them in clear.
 */
export function subjectValues (service: ServiceDefinition, body: unknown): string[] {
  return stringsAt(body, service.subjectFields)
}
