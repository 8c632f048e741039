import { createHash } from 'node:crypto'

/** A copy with object keys sorted at every level (and undefined members dropped), as JSON.stringify will print it. */
export function sortKeys (value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => sortKeys(v) ?? null)
  const obj = value as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(obj).sort()) if (obj[k] !== undefined) out[k] = sortKeys(obj[k])
  return out
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export const canonicalJson = (value: unknown): string => JSON.stringify(sortKeys(value) ?? null)

/** SHA-256 (hex) of a value's canonical JSON: equal for equal content whatever the key order. */
export const contentHash = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('hex')
