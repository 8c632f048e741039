import type { Prng } from '../../src/simulators/seed/prng.js'
import { deepJson, Obj, Raw, type Json } from './json-text.js'

/** The property every prototype-pollution attempt tries to plant; checked on Object.prototype afterwards. */
export const POLLUTED = 'fuzzPolluted'

/** Strings that break parsers, validators, SQL, shells, templates, logs and renderers. */
/* eslint-disable no-template-curly-in-string -- template syntax is exactly what is sent */
export const HOSTILE_STRINGS: readonly string[] = [
  '', ' ', '\t', '\u0000', 'a\u0000b', '\r\n', 'x\r\nSet-Cookie: fuzz=1', '\u001b[31mred', '\u202egnp.exe', '\u200b',
  '\ud800', '\udfff', 'a\ud800b', '\ufeff{}', '\uffff', '💩'.repeat(50), 'é', 'e\u0301', 'Ω', 'ﬁ', 'Ⅷ', 'İ', 'ß',
  '../../../../etc/passwd', '..\\..\\windows\\win.ini', '%2e%2e%2f', '/dev/zero', 'file:///etc/passwd', 'C:\\',
  "' OR '1'='1", "'; DROP TABLE clients; --", '" OR ""="', '1; SELECT pg_sleep(10)', '$1', '\\', "\\'",
  '${jndi:ldap://127.0.0.1/x}', '{{7*7}}', '${7*7}', '<%= 7*7 %>', '#{7*7}', '%s%s%s%n', '%x%x', '`id`', '$(id)',
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)', '<!--', ']]>',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', POLLUTED,
  'null', 'undefined', 'true', 'NaN', 'Infinity', '-Infinity', '-0', '0x10', '1e309', '9'.repeat(400), '0.1e-400',
  'http://169.254.169.254/latest/meta-data/', 'http://127.0.0.1:6379/', 'gopher://127.0.0.1:6379/_FLUSHALL',
  '079203001234', '0100109106', '000.00.01.H22-250715-0001', 'citizen.lookup', '2025-02-30', '9999-12-31T23:59:59Z',
  '0000-00-00', '2025-07-15T08:30:00+25:00', '1970-01-01T00:00:00Z', 'dossier.sync', 'admin', 'system', 'auditor'
]
/* eslint-enable no-template-curly-in-string */

export const HOSTILE_KEYS: readonly string[] = [
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', POLLUTED,
  '', ' ', 'a.b', '$ref', '$id', '$where', '0', '-1', 'length', '\u0000', 'x'.repeat(300), 'Ω', '\ud800', 'then'
]

/** Number literals as JSON text, including those JSON.stringify cannot write. */
export const HOSTILE_NUMBERS: readonly string[] = [
  '0', '-0', '1', '-1', '0.5', '1e309', '-1e309', '1e-400', '1.7976931348623157e308', '9007199254740993',
  '123456789012345678901234567890', '4294967296', '2147483648', '-2147483649', '1E2', '1.0', '100000000000000000000'
]

const memo = new Map<string, string>()
const once = (key: string, make: () => string): string => {
  let text = memo.get(key)
  if (text === undefined) memo.set(key, text = make())
  return text
}

export function bigString (rng: Prng): string {
  const c = rng.pick(['a', 'é', '💩', '\u0000', '%', '\\', '"'])
  const n = rng.pick([256, 4096, 70_000])
  return once(`${c}${n}`, () => c.repeat(n))
}

/** A value of a random kind: scalars, hostile strings and numbers, containers, pollution objects. */
export function hostileValue (rng: Prng, depth = 0): Json {
  switch (rng.int(0, 11)) {
    case 0: return null
    case 1: return rng.chance(0.5)
    case 2: return new Raw(rng.pick(HOSTILE_NUMBERS))
    case 3: return rng.chance(0.1) ? bigString(rng) : rng.pick(HOSTILE_STRINGS)
    case 4: return depth > 3 ? [] : Array.from({ length: rng.int(0, 3) }, () => hostileValue(rng, depth + 1))
    case 5: return depth > 3 ? new Obj([]) : new Obj([[rng.pick(HOSTILE_KEYS), hostileValue(rng, depth + 1)]])
    case 6: return pollution(rng)
    case 7: {
      if (rng.chance(0.6)) return nested(rng, rng.int(10, 200))
      const levels = rng.pick([2000, 10_000])
      const kind = rng.pick(['array', 'object'] as const)
      return new Raw(once(`${kind}${levels}`, () => deepJson(levels, kind))) // deep inside an otherwise valid body
    }
    case 8: { const n = rng.pick([1000, 10_000]); return new Raw(once(`zeros${n}`, () => `[${Array(n).fill(0).join(',')}]`)) }
    case 9: return rng.pick(HOSTILE_STRINGS)
    case 10: return new Raw(String(rng.int(-1_000_000, 1_000_000)))
    default: return rng.pick(['', 'x', 'a'.repeat(65), '1'])
  }
}

/** `{"__proto__": {"fuzzPolluted": …}}` and its relatives. */
export function pollution (rng: Prng): Obj {
  const payload = new Obj([[POLLUTED, 'yes'], ['isAdmin', true], ['roles', ['admin']]])
  switch (rng.int(0, 3)) {
    case 0: return new Obj([['__proto__', payload]])
    case 1: return new Obj([['constructor', new Obj([['prototype', payload]])]])
    case 2: return new Obj([['prototype', payload]])
    default: return new Obj([['__proto__', payload], ['constructor', new Obj([['prototype', payload]])], [POLLUTED, 1]])
  }
}

/** Arrays and objects `levels` deep (the model stays small enough to print recursively). */
export function nested (rng: Prng, levels: number): Json {
  let v: Json = 1
  for (let i = 0; i < levels; i++) v = rng.chance(0.5) ? [v] : new Obj([['a', v]])
  return v
}

const SPICE = ['\u0000', '\u0001', '\u001f', '\u007f', '\ud800', '\udc00', '\u202e', '\ufeff', '\u2028', "'", '"', '\\', '%', '\r\n', '\t', '💩']

/** A nearly valid string: one odd character put somewhere in it (it still fits length limits and most patterns' neighbours). */
export function spice (rng: Prng, text: string): string {
  const at = rng.int(0, text.length)
  return text.slice(0, at) + rng.pick(SPICE) + text.slice(at)
}

/** One random change somewhere in a value: replace, delete, add a key, duplicate a key, wrap, or pollute. */
export function mutate (rng: Prng, value: Json, depth = 0): Json {
  const descend = rng.chance(0.6) && depth < 6
  if (value instanceof Obj && value.entries.length > 0) {
    const entries = [...value.entries]
    const i = rng.int(0, entries.length - 1)
    if (descend) {
      entries[i] = [entries[i][0], mutate(rng, entries[i][1], depth + 1)]
      return new Obj(entries)
    }
    switch (rng.int(0, 5)) {
      case 0: entries.splice(i, 1); break
      case 1: entries.push([rng.pick(HOSTILE_KEYS), hostileValue(rng)]); break
      case 2: entries.push([entries[i][0], hostileValue(rng)]); break // a duplicated key: which one wins?
      case 3: entries.unshift(...pollution(rng).entries); break
      case 4: entries[i] = [entries[i][0], hostileValue(rng)]; break
      default: return rng.chance(0.5) ? [value] : hostileValue(rng)
    }
    return new Obj(entries)
  }
  if (Array.isArray(value) && value.length > 0) {
    const items = [...value]
    const i = rng.int(0, items.length - 1)
    if (descend) items[i] = mutate(rng, items[i], depth + 1)
    else if (rng.chance(0.3)) items.splice(i, 1)
    else if (rng.chance(0.5)) items.push(hostileValue(rng))
    else return Array.from({ length: rng.pick([2, 100, 5000]) }, () => items[i])
    return items
  }
  if (typeof value === 'string' && rng.chance(0.4)) return spice(rng, value)
  return hostileValue(rng, depth)
}
