/** Minimal RFC 6901 access for the secret-field pointers of connector types (`/auth/value`). */
const parse = (pointer: string): string[] =>
  pointer.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))

export function getAt (obj: unknown, pointer: string): unknown {
  let cur: unknown = obj
  for (const key of parse(pointer)) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[key]
  }
  return cur
}

/** Sets a value where the parent object exists; returns false when it does not. */
export function setAt (obj: unknown, pointer: string, value: unknown): boolean {
  const keys = parse(pointer)
  let cur: unknown = obj
  for (const key of keys.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return false
    cur = (cur as Record<string, unknown>)[key]
  }
  if (cur === null || typeof cur !== 'object') return false
  ;(cur as Record<string, unknown>)[keys[keys.length - 1]] = value
  return true
}
