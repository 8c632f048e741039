import { randomUUID } from 'node:crypto'
import type { Prng } from '../../src/simulators/seed/prng.js'
import { HOSTILE_STRINGS, spice } from './values.js'

/** Path text for ids, as it would appear on the wire (already percent-encoded where it must be). */
export const HOSTILE_IDS: readonly string[] = [
  '..%2F..%2F..%2Fetc%2Fpasswd', '..%2f', '%2e%2e%2f%2e%2e%2f', '..', '.', '%2e', '%00', 'a%00b', '%ZZ', '%', '%%', '%E0%80%AF',
  '%C0%AE%C0%AE%2F', '%C0%AF', '%ED%A0%80', '%FF%FE', '%EF%BB%BF', '%F0%9F%92%A9', '%0D%0ASet-Cookie:%20fuzz=1', '%0A', '%09', '%20',
  '+', '-', '-1', '0', '1e309', 'NaN', 'null', 'undefined', '__proto__', 'constructor', 'prototype', 'toString', '%5B%5D',
  '%7B%7D', "'%20OR%201=1--", '%22', '%3Cscript%3E', '$%7Bjndi:ldap://x%7D', '..;', '%5C..%5C', '*', '~', '%u002e',
  'a'.repeat(64), 'a'.repeat(65), 'a'.repeat(199), 'a'.repeat(201), 'a'.repeat(5000), '%D1%81itizen.lookup', 'CITIZEN.LOOKUP'
]

const hex = (rng: Prng, n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[rng.int(0, 15)]).join('')

/** A plain string encoded for a path or query; lone surrogates cannot be encoded and go as raw UTF-8 escapes. */
export function encode (text: string): string {
  try {
    return encodeURIComponent(text)
  } catch {
    return '%ED%A0%80'
  }
}

/** Plausible values of each path parameter; ids that would change the gateway's own wiring are never chosen. */
function plausible (rng: Prng, name: string, url: string, method: string): string[] {
  switch (name) {
    case 'serviceId': return ['citizen.lookup', 'land.parcel.lookup', 'tax.taxpayer.lookup', 'insurance.coverage.lookup', 'dossier.sync', 'weather.lookup']
    case 'traceId': return [hex(rng, 32), '0'.repeat(32), hex(rng, 31), hex(rng, 32).toUpperCase()]
    case 'code': return url.startsWith('/v1/admin-units')
      ? ['01', '79', '00004', '26734', '001', '1234567890', '00', '99999']
      : [`000.00.01.H22-2507${String(rng.int(10, 31))}-${String(rng.int(1, 9999)).padStart(4, '0')}`, '000.00.01.H22-250715-0001']
    case '*': return ['index.html', 'static/index.html', 'json', '..%2F..%2Fpackage.json', '%2e%2e/%2e%2e/package.json',
      'static/..%2f..%2f..%2f..%2fetc%2fpasswd', '....//....//etc/passwd', 'static/%2e%2e%2f%2e%2e%2fsrc%2fconfig.ts', 'x'.repeat(3000)]
    default: break
  }
  if (url.startsWith('/v1/admin/clients')) return ['fuzz-target-1', 'fuzz-target-2', 'fuzz-target-3', 'no-such-client', 'test-admin']
  if (url.startsWith('/v1/admin/connectors')) {
    // Real connector ids only for reads: a fuzzed PUT could otherwise point a live connector at nowhere.
    return method === 'GET' || method === 'HEAD' ? ['population', 'tax', 'dvcqg', 'fuzz-conn'] : ['fuzz-conn', 'no-such-connector']
  }
  if (url.startsWith('/v1/services')) return ['citizen.lookup', 'dossier.sync', 'tax.taxpayer.lookup', 'weather']
  return [randomUUID(), randomUUID().toUpperCase(), '00000000-0000-0000-0000-000000000000']
}

/** A value for one path parameter: plausible half the time, hostile otherwise. */
export function paramValue (rng: Prng, name: string, url: string, method: string): string {
  if (rng.chance(0.4)) return rng.pick(plausible(rng, name, url, method))
  if (rng.chance(0.2)) return encode(spice(rng, decodeURIComponent(rng.pick(plausible(rng, name, url, method)))))
  return rng.chance(0.75) ? rng.pick(HOSTILE_IDS) : encode(rng.pick(HOSTILE_STRINGS))
}

/** The URL of a route with its parameters filled in. */
export function fillPath (rng: Prng, url: string, method: string): string {
  return url.replace(/:(\w+)|\*/g, (match, name: string | undefined) => paramValue(rng, name ?? match, url, method))
}

/** One of the ways a path can be bent around a route. */
export function bendPath (rng: Prng, path: string): string {
  switch (rng.int(0, 9)) {
    case 0: return path + '/'
    case 1: return '/' + path
    case 2: return path + '/..'
    case 3: return path.replace('/v1/', '/v1/./')
    case 4: return path.toUpperCase()
    case 5: return path + ';jsessionid=fuzz'
    case 6: return path.replace(/\//g, '%2F')
    case 7: return path + '/%2e%2e/%2e%2e/admin/clients'
    case 8: return path + '#fragment'
    default: return path + '/' + 'x'.repeat(rng.pick([10, 300, 9000]))
  }
}

const QUERY_KEYS = ['asOf', 'province', 'q', 'limit', 'level', 'from', 'to', 'clientId', 'service', 'outcome', 'kind', 'caseId',
  'traceId', 'subject', 'cursor', 'status', 'dossierCode', 'dryRun']

const RAW_QUERIES = [
  '__proto__[fuzzPolluted]=yes', 'constructor[prototype][fuzzPolluted]=yes', '__proto__.fuzzPolluted=yes', 'limit=1&limit=2',
  'limit=0', 'limit=1001', 'limit=-1', 'limit=1e3', 'limit=%201', 'cursor=' + 'A'.repeat(64), 'cursor=eyJhIjoxfQ', 'cursor=%00',
  'from=2025-13-45T99:99:99Z', 'from=0', 'to=-271821-04-20T00:00:00Z', 'from=275760-09-13T00:00:01Z', 'asOf=2025-02-30',
  'asOf=0000-01-01', 'x=%ZZ', '%=%', '&&&&', '=', 'a'.repeat(10_000) + '=1', 'q=' + '%C3%A1'.repeat(300), 'dryRun=TRUE',
  'level=province&level=commune', 'subject=079203001234', 'traceId=' + 'f'.repeat(32), 'q=%00', 'province=01%00'
]

/** A query string (without '?'): known keys with hostile values, hostile keys, and raw oddities. */
export function queryString (rng: Prng): string {
  const parts: string[] = []
  for (let i = rng.int(1, 4); i > 0; i--) {
    if (rng.chance(0.3)) parts.push(rng.pick(RAW_QUERIES))
    else {
      const plain = rng.pick(['1', '50', 'true', '01', '2025-07-01', '2025-07-01T00:00:00Z', 'fuzz-system', 'citizen.lookup', 'ok', 'lookup'])
      const value = rng.chance(0.3) ? plain : rng.chance(0.4) ? spice(rng, plain) : rng.pick(HOSTILE_STRINGS)
      parts.push(`${rng.pick(QUERY_KEYS)}=${encode(value)}`)
    }
  }
  return parts.join('&')
}
