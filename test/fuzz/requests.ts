import type { Prng } from '../../src/simulators/seed/prng.js'
import { fromPlain, print } from './json-text.js'
import { bendPath, fillPath, queryString } from './params.js'
import { CONTENT_TYPES, rawPayload, type Payload } from './payloads.js'
import type { Route } from './routes.js'
import { TEMPLATES } from './templates.js'
import { HOSTILE_STRINGS, mutate } from './values.js'

export type Role = 'system' | 'admin' | 'auditor'

export interface FuzzTokens {
  /** Valid bearer tokens: one client per role, one with every role, one `system` client without grants. */
  byRole: Record<Role | 'all' | 'ungranted', string>
  /** Authorization header values that must be refused (401). */
  refused: string[]
  /** Tokens signed with the gateway's key, with odd claims: accepted or not, never a 5xx. */
  odd: string[]
}

export interface FuzzRequest {
  method: string
  url: string
  headers: Record<string, string>
  payload?: Payload
  /** The roles of the token sent when it is a valid one; undefined for none or one that must be refused; 'odd' for an odd signed one. */
  roles?: Role[] | 'odd'
  /** What the generator did, for the report of a failure. */
  notes: string[]
}

const ROLES_OF: Record<keyof FuzzTokens['byRole'], Role[]> = {
  system: ['system'], admin: ['admin'], auditor: ['auditor'], all: ['system', 'admin', 'auditor'], ungranted: ['system']
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH'])

function roleOf (url: string): Role {
  if (url.startsWith('/v1/admin/')) return 'admin'
  if (url.startsWith('/v1/audit/')) return 'auditor'
  return 'system'
}

function authorization (rng: Prng, url: string, tokens: FuzzTokens, notes: string[]): string | undefined {
  const r = rng.next()
  if (r < 0.35) { notes.push('token:role'); return tokens.byRole[roleOf(url)] }
  if (r < 0.6) { notes.push('token:all'); return tokens.byRole.all }
  if (r < 0.7) {
    const role = rng.pick(['system', 'admin', 'auditor', 'ungranted'] as const)
    notes.push(`token:${role}`)
    return tokens.byRole[role]
  }
  if (r < 0.75) { notes.push('token:none'); return undefined }
  if (rng.chance(0.15)) {
    const i = rng.int(0, tokens.odd.length - 1)
    notes.push(`token:odd#${i}`)
    return tokens.odd[i]
  }
  const i = rng.int(0, tokens.refused.length - 1)
  notes.push(`token:refused#${i}`)
  return tokens.refused[i]
}

const TRACEPARENTS = ['00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', '00-00000000000000000000000000000000-0000000000000000-01',
  'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', '00-xyz', '00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01', 'x'.repeat(600)]

/** Request headers besides authorization and content-type: the lookup context, idempotency, tracing, oddities. */
function extraHeaders (rng: Prng, url: string, headers: Record<string, string>, notes: string[]): void {
  if (url.startsWith('/v1/lookups/') || url.startsWith('/v1/dossiers')) {
    headers['x-purpose'] = rng.chance(0.8) ? '1.000894' : rng.pick(['', ' ', 'x'.repeat(300), 'ND13-2023-D17', ...HOSTILE_STRINGS])
    if (rng.chance(0.3)) headers['x-case-id'] = rng.pick(['000.00.01.H22-250715-0001', 'c'.repeat(200), ...HOSTILE_STRINGS])
    if (rng.chance(0.3)) headers['x-end-user'] = rng.pick(['Nguyễn Văn A', 'u'.repeat(200), ...HOSTILE_STRINGS])
  }
  if (url.startsWith('/v1/dossiers') && rng.chance(0.4)) {
    headers['idempotency-key'] = rng.pick(['fuzz-key-0001', 'short', 'k'.repeat(129), 'has space here', 'ключ-ключ-ключ', ...HOSTILE_STRINGS])
  }
  if (rng.chance(0.2)) headers.traceparent = rng.pick(TRACEPARENTS)
  if (rng.chance(0.1)) headers.tracestate = rng.pick(['a=b', 'x'.repeat(1000), '=,=,='])
  if (rng.chance(0.2)) headers['x-request-id'] = rng.pick(['fuzz-1', 'r'.repeat(129), '../../x', '<script>', 'a b', 'Ω'])
  if (rng.chance(0.1)) headers.accept = rng.pick(['application/xml', 'text/html', '*/*;q=0', 'application/json;q=0', 'x'.repeat(500)])
  if (rng.chance(0.05)) headers['accept-encoding'] = rng.pick(['gzip', 'br, deflate', 'identity;q=0, *;q=0', 'zstd'])
  if (rng.chance(0.05)) headers['content-encoding'] = rng.pick(['gzip', 'deflate', 'br', 'identity', 'x-fuzz'])
  if (rng.chance(0.05)) headers.origin = rng.pick(['https://evil.example', 'null', 'http://localhost:3000'])
  if (rng.chance(0.05)) headers['x-forwarded-for'] = rng.pick(['1.2.3.4', '127.0.0.1, 10.0.0.1', 'x'.repeat(300)])
  if (rng.chance(0.03)) {
    headers['x-fuzz-injected'] = 'should never come back'
    notes.push('probe-header')
  }
}

function body (rng: Prng, route: Route, path: string, headers: Record<string, string>, notes: string[], bodyLimit: number): Payload | undefined {
  const template = TEMPLATES[`${route.method} ${route.url}`]
  const r = rng.next()
  if (r < 0.1 || (!BODY_METHODS.has(route.method) && r < 0.9)) { notes.push('body:none'); return undefined }
  let payload: Payload
  let ct: string | undefined
  if (r < 0.6 && template !== undefined) {
    let value = fromPlain(template(rng, path))
    const n = rng.chance(0.1) ? 0 : rng.int(1, 3)
    for (let i = 0; i < n; i++) value = mutate(rng, value)
    notes.push(`body:template+${n}`)
    payload = print(value)
    ct = rng.chance(0.85) ? 'application/json' : rng.pick(CONTENT_TYPES)
  } else {
    payload = rawPayload(rng, bodyLimit)
    notes.push('body:raw')
    ct = rng.chance(0.5) ? 'application/json' : rng.pick(CONTENT_TYPES)
  }
  if (ct !== undefined) headers['content-type'] = ct
  if (rng.chance(0.04)) headers['content-length'] = rng.pick(['0', '1', '-1', '99999999', 'abc', String(Buffer.byteLength(payload) + 10)])
  return payload
}

/** One generated request for a route, reproducible from the same generator state. */
export function makeRequest (rng: Prng, route: Route, tokens: FuzzTokens, bodyLimit: number): FuzzRequest {
  const notes: string[] = []
  let path = fillPath(rng, route.url, route.method)
  if (rng.chance(0.08)) { path = bendPath(rng, path); notes.push('bent-path') }
  const query = rng.chance(0.35) ? `?${queryString(rng)}` : ''
  const headers: Record<string, string> = {}
  const auth = authorization(rng, route.url, tokens, notes)
  if (auth !== undefined) headers.authorization = auth
  const kind = (notes.find((n) => n.startsWith('token:')) ?? '').slice(6)
  const roles = kind === 'role' ? [roleOf(route.url)] : kind.startsWith('odd') ? 'odd' : ROLES_OF[kind as keyof FuzzTokens['byRole']]
  extraHeaders(rng, route.url, headers, notes)
  const method = rng.chance(0.03) ? rng.pick(['OPTIONS', 'TRACE', 'DELETE', 'PUT', 'PATCH', 'POST', 'GET']) : route.method
  const payload = body(rng, { ...route, method: method as Route['method'] }, path, headers, notes, bodyLimit)
  return { method, url: path + query, headers, payload, roles, notes }
}
