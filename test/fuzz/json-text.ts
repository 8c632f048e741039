/**
 * A model of JSON text that can say what JSON.stringify cannot: raw number literals (1e309, -0, 1e-400),
 * duplicated keys, and `__proto__` as an ordinary key. The fuzz generator mutates this model, then prints it.
 */
export class Raw {
  constructor (readonly text: string) {}
}

export class Obj {
  constructor (readonly entries: Array<[string, Json]>) {}
}

export type Json = null | boolean | number | string | Raw | Obj | Json[]

/** A plain value (a template body) as the model; `undefined` members are dropped as JSON does. */
export function fromPlain (value: unknown): Json {
  if (Array.isArray(value)) return value.map(fromPlain)
  if (value !== null && typeof value === 'object') {
    return new Obj(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, fromPlain(v)]))
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) return value
  return null
}

/** The JSON text of the model (its depth is bounded by the generator, so recursion is fine here). */
export function print (value: Json): string {
  if (value instanceof Raw) return value.text
  if (value instanceof Obj) return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${print(v)}`).join(',')}}`
  if (Array.isArray(value)) return `[${value.map(print).join(',')}]`
  return JSON.stringify(value) ?? 'null'
}

/** `[[[…]]]` or `{"a":{"a":…}}` nested `levels` deep, as text (never built as objects here). */
export function deepJson (levels: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(levels) + ']'.repeat(levels) : '{"a":'.repeat(levels) + '1' + '}'.repeat(levels)
}
