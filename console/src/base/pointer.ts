/** JSON Pointer (RFC 6901) reads and immutable writes over plain JSON values. */
const unescape = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~')
export const escapeToken = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1')

export function getAt (root: unknown, pointer: string): unknown {
  if (pointer === '' || pointer === '/') return root
  let at: unknown = root
  for (const token of pointer.slice(1).split('/').map(unescape)) {
    if (typeof at !== 'object' || at === null) return undefined
    at = (at as Record<string, unknown>)[token]
  }
  return at
}

/** A copy of `root` with the value at `pointer` set (undefined removes it); missing objects are created. */
export function setAt (root: unknown, pointer: string, value: unknown): unknown {
  if (pointer === '' || pointer === '/') return value
  const [head, ...rest] = pointer.slice(1).split('/')
  const key = unescape(head)
  const base = (typeof root === 'object' && root !== null && !Array.isArray(root) ? { ...root as Record<string, unknown> } : {})
  const next = rest.length === 0 ? value : setAt(base[key], `/${rest.join('/')}`, value)
  if (next === undefined) delete base[key]
  else base[key] = next
  return base
}
