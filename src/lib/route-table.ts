/**
 * The methods each route path answers, to tell "no such path" (404) from "not with this method" (405 with `Allow`).
 * Paths are fastify's: `:name` matches one segment, a trailing `*` the rest of the path.
 */
export class RouteTable {
  readonly #routes: Array<{ segments: string[], methods: Set<string> }> = []

  add (method: string | string[], url: string): void {
    const segments = url.split('/')
    let entry = this.#routes.find((r) => r.segments.join('/') === url)
    if (entry === undefined) {
      entry = { segments, methods: new Set() }
      this.#routes.push(entry)
    }
    for (const m of Array.isArray(method) ? method : [method]) entry.methods.add(m.toUpperCase())
  }

  /** Every method some route answers on this concrete path (empty when no route has the path). */
  allowed (path: string): string[] {
    const parts = path.split('/')
    const out = new Set<string>()
    for (const r of this.#routes) if (matches(r.segments, parts)) for (const m of r.methods) out.add(m)
    return [...out].sort()
  }
}

function matches (pattern: string[], parts: string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]
    if (p === '*' && i === pattern.length - 1) return true
    const part = parts[i]
    if (part === undefined) return false
    if (p.startsWith(':') ? part === '' : p !== part) return false
  }
  return pattern.length === parts.length
}
