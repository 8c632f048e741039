import { gzipSync } from 'node:zlib'
import type { Prng } from '../../src/simulators/seed/prng.js'
import { HOSTILE_IDS } from './params.js'
import type { FuzzRequest } from './requests.js'

export interface WireCase {
  name: string
  bytes: Buffer
  /** Send FIN after the bytes: an incomplete request then fails at once. */
  halfClose?: boolean
  /** Requests in the bytes (pipelining); the server may answer fewer, never more. */
  requests: number
  /** The method and path of the first request, for the verdict. */
  method: string
  url: string
  /** For a replayed inject request: its route and the roles of its token (undefined: no valid token). */
  access?: { route: string, roles?: string[] | 'odd' }
}

const CRLF = '\r\n'
const b = (text: string): Buffer => Buffer.from(text, 'latin1')
const LOOKUP_BODY = '{"personalId":"079203001234"}'

/** A request as text; `head` lines are written as given (they may hold anything, CR and LF included). */
function request (method: string, url: string, head: string[], body = '', version = 'HTTP/1.1'): string {
  return `${method} ${url} ${version}${CRLF}${head.join(CRLF)}${head.length > 0 ? CRLF : ''}${CRLF}${body}`
}

const INJECTIONS = ['\r', '\n', '\r\n', '\r\n ', '\r\n\t', '\u0000', '\u007f', '\u00ff\u00fe', 'é', '\r\nX-Fuzz-Injected: 1',
  '\nX-Fuzz-Injected: 1', '\rX-Fuzz-Injected: 1', '\r\n\r\nHTTP/1.1 200 OK\r\nX-Fuzz-Injected: 1', '\r\nSet-Cookie: fuzz=1',
  '\r\nContent-Length: 0\r\n\r\nGET /v1/admin/clients HTTP/1.1']

/** CR, LF, NUL and high bytes in header values and names: split or smuggle headers, answer reflected ones. */
function headerInjection (rng: Prng, token: string): WireCase {
  const name = rng.pick(['X-Request-Id', 'X-Purpose', 'Traceparent', 'Authorization', 'Content-Type', 'Idempotency-Key', 'X-Case-Id', 'Host', 'Origin'])
  const value = `fuzz${rng.pick(INJECTIONS)}${rng.pick(['', 'value', 'X-Fuzz-Injected: 1'])}`
  const head = ['Host: gateway', `Authorization: ${token}`, 'Content-Type: application/json', `Content-Length: ${LOOKUP_BODY.length}`,
    'X-Purpose: 1.000894', 'Connection: close']
  const asName = rng.chance(0.2)
  head.splice(rng.int(1, head.length - 1), 0, asName ? `${name}${rng.pick(INJECTIONS)}: 1` : `${name}: ${value}`)
  return { name: `header injection in ${name}${asName ? ' name' : ''}`, bytes: b(request('POST', '/v1/lookups/citizen.lookup', head, LOOKUP_BODY)), requests: 2, method: 'POST', url: '/v1/lookups/citizen.lookup' }
}

/** Request lines no client should send. */
function requestLine (rng: Prng): WireCase {
  const method = rng.pick(['GET', 'get', 'GE T', 'FOO', 'CONNECT', 'TRACE', 'PROPFIND', 'G\u0000ET', 'POST', 'X'.repeat(200)])
  const url = rng.pick(['/v1/services', 'http://evil.example/v1/services', '*', '/v1/ser vices', '/v1/services\u0000', '/\u00ff\u00fe',
    '/docs/static/../../../../etc/passwd', '/docs/static/..%2f..%2f..%2fpackage.json', '/v1/admin/../admin/clients', '\\v1\\services',
    '/v1/services#x', '/' + '%'.repeat(100), `/v1/services/${rng.pick(HOSTILE_IDS)}`, '/' + 'a'.repeat(rng.pick([1000, 70_000])), '',
    '//v1//services', '/./v1/./services', '/v1/services?' + 'a=1&'.repeat(5000), '/%2e%2e/%2e%2e/etc/passwd', 'v1/services'])
  const version = rng.pick(['HTTP/1.1', 'HTTP/1.0', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/1.1x', 'HTTP/9.9', 'http/1.1', '', 'HTTP/1.1 extra'])
  return { name: `request line ${method.slice(0, 10)} ${url.slice(0, 40)} ${version}`, bytes: b(request(method, url, ['Host: gateway', 'Connection: close'], '', version)), requests: 1, method, url }
}

/** Header sections that are too big, too many, duplicated, nameless or missing the Host. */
function headerShape (rng: Prng, token: string): WireCase {
  const base = ['Host: gateway', `Authorization: ${token}`, 'Connection: close']
  const variants: Array<[string, string[]]> = [
    ['one 20 KB header', [...base, `X-Big: ${'a'.repeat(20_000)}`]],
    ['2,000 headers', [...base, ...Array.from({ length: 2000 }, (_, i) => `X-H${i}: ${i}`)]],
    ['no Host', [`Authorization: ${token}`, 'Connection: close']],
    ['two Hosts', [...base, 'Host: evil.example']],
    ['empty header name', [...base, ': value']],
    ['header without colon', [...base, 'NoColonHere']],
    ['space before colon', [...base, 'X-Purpose : 1.000894']],
    ['obs-fold continuation', [...base, 'X-Purpose: a', ' folded']],
    ['two Authorization headers', [...base, 'Authorization: Bearer other']],
    ['Expect: 100-continue', [...base, 'Expect: 100-continue']],
    ['Expect: garbage', [...base, 'Expect: fuzz']],
    ['websocket upgrade', [...base, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13']],
    ['h2c upgrade', [...base, 'Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA']],
    ['huge cookie', [...base, `Cookie: ${'c=1; '.repeat(3000)}`]]
  ]
  const [name, head] = rng.pick(variants)
  const url = rng.pick(['/v1/services', '/v1/admin/clients', '/health/ready'])
  return { name, bytes: b(request('GET', url, head)), requests: 1, method: 'GET', url }
}

/** Body framing a proxy and a server could read differently: the smuggling family. */
function framing (rng: Prng, token: string): WireCase {
  const base = ['Host: gateway', `Authorization: ${token}`, 'X-Purpose: 1.000894', 'Content-Type: application/json']
  const smuggled = `GET /v1/admin/clients HTTP/1.1${CRLF}Host: gateway${CRLF}${CRLF}`
  const variants: Array<[string, string[], string]> = [
    ['CL and TE', [...base, 'Content-Length: 4', 'Transfer-Encoding: chunked'], `0${CRLF}${CRLF}${smuggled}`],
    ['TE and CL', [...base, 'Transfer-Encoding: chunked', 'Content-Length: 60'], `0${CRLF}${CRLF}${smuggled}`],
    ['two different CLs', [...base, 'Content-Length: 2', `Content-Length: ${LOOKUP_BODY.length}`], LOOKUP_BODY],
    ['CL with a sign', [...base, `Content-Length: +${LOOKUP_BODY.length}`], LOOKUP_BODY],
    ['negative CL', [...base, 'Content-Length: -1'], LOOKUP_BODY],
    ['CL as a list', [...base, `Content-Length: ${LOOKUP_BODY.length}, ${LOOKUP_BODY.length}`], LOOKUP_BODY],
    ['huge CL', [...base, 'Content-Length: 99999999999999999999'], LOOKUP_BODY],
    ['CL shorter than the body', [...base, 'Content-Length: 5'], LOOKUP_BODY],
    ['CL longer than the body', [...base, 'Content-Length: 500'], LOOKUP_BODY],
    ['TE: gzip, chunked', [...base, 'Transfer-Encoding: gzip, chunked'], `0${CRLF}${CRLF}`],
    ['TE: chunked, identity', [...base, 'Transfer-Encoding: chunked, identity'], `0${CRLF}${CRLF}`],
    ['TE: xchunked', [...base, 'Transfer-Encoding: xchunked'], `0${CRLF}${CRLF}`],
    ['TE with a tab', [...base, 'Transfer-Encoding:\tchunked'], `${LOOKUP_BODY.length.toString(16)}${CRLF}${LOOKUP_BODY}${CRLF}0${CRLF}${CRLF}`],
    ['two TE headers', [...base, 'Transfer-Encoding: chunked', 'Transfer-Encoding: identity'], `0${CRLF}${CRLF}`],
    ['bad chunk size', [...base, 'Transfer-Encoding: chunked'], `zz${CRLF}abc${CRLF}0${CRLF}${CRLF}`],
    ['chunk size overflow', [...base, 'Transfer-Encoding: chunked'], `ffffffffffffffffff${CRLF}abc${CRLF}0${CRLF}${CRLF}`],
    ['huge chunk extension', [...base, 'Transfer-Encoding: chunked'], `1;${'e'.repeat(20_000)}${CRLF}{${CRLF}0${CRLF}${CRLF}`],
    ['chunked with trailers', [...base, 'Transfer-Encoding: chunked'], `${LOOKUP_BODY.length.toString(16)}${CRLF}${LOOKUP_BODY}${CRLF}0${CRLF}X-Fuzz-Injected: 1${CRLF}${CRLF}`],
    ['chunks of one byte', [...base, 'Transfer-Encoding: chunked'], [...LOOKUP_BODY].map((c) => `1${CRLF}${c}${CRLF}`).join('') + `0${CRLF}${CRLF}`],
    ['bare LF line ends', [...base, `Content-Length: ${LOOKUP_BODY.length}`], LOOKUP_BODY]
  ]
  const [name, head, body] = rng.pick(variants)
  let text = request('POST', '/v1/lookups/citizen.lookup', head, body)
  if (name === 'bare LF line ends') text = text.replaceAll(CRLF, '\n')
  // every variant ends the request where one reading of it would: FIN makes the server decide now
  return { name, bytes: b(text), requests: 2, method: 'POST', url: '/v1/lookups/citizen.lookup', halfClose: true }
}

/** Bytes that are not HTTP/1.1 at all. */
function notHttp (rng: Prng): WireCase {
  const variants: Array<[string, Buffer]> = [
    ['TLS ClientHello', Buffer.from('16030100a5010000a10303' + '00'.repeat(32) + '000020c02bc02fc02cc030', 'hex')],
    ['HTTP/2 preface', b(`PRI * HTTP/2.0${CRLF}${CRLF}SM${CRLF}${CRLF}`)],
    ['Redis PING', b(`*1${CRLF}$4${CRLF}PING${CRLF}`)],
    ['SSH banner', b(`SSH-2.0-OpenSSH_9.0${CRLF}`)],
    ['random bytes', Buffer.from(Array.from({ length: rng.int(1, 4096) }, () => rng.int(0, 255)))],
    ['NUL bytes', Buffer.alloc(rng.int(1, 1024))],
    ['only CRLFs', b(CRLF.repeat(rng.int(1, 5000)))],
    ['a lone GET', b('GET')],
    ['half a request', b(`POST /v1/lookups/citizen.lookup HTTP/1.1${CRLF}Host: gateway${CRLF}Content-Le`)]
  ]
  const [name, bytes] = rng.pick(variants)
  return { name, bytes, requests: 1, method: '?', url: '?', halfClose: true }
}

/** Many requests in one write, valid and invalid mixed; the server answers in order and never more than were sent. */
function pipeline (rng: Prng, token: string): WireCase {
  const n = rng.int(2, 50)
  const parts: string[] = []
  for (let i = 0; i < n; i++) {
    const last = i === n - 1
    const head = ['Host: gateway', `Authorization: ${token}`, ...(last ? ['Connection: close'] : [])]
    parts.push(rng.chance(0.8)
      ? request('GET', rng.pick(['/v1/services', '/health/live', `/v1/services/${rng.pick(HOSTILE_IDS)}`, '/nope']), head)
      : request('POST', '/v1/lookups/citizen.lookup', [...head, 'X-Purpose: 1.000894', 'Content-Type: application/json', `Content-Length: ${LOOKUP_BODY.length}`], LOOKUP_BODY))
  }
  return { name: `pipeline of ${n}`, bytes: b(parts.join('')), requests: n, method: 'GET', url: '/v1/services' }
}

/** A gzip body (the gateway does not decode content encodings: it must refuse, not misread). */
function encoded (rng: Prng, token: string): WireCase {
  const body = gzipSync(Buffer.from(LOOKUP_BODY))
  const head = ['Host: gateway', `Authorization: ${token}`, 'X-Purpose: 1.000894', 'Content-Type: application/json',
    `Content-Encoding: ${rng.pick(['gzip', 'deflate', 'br', 'gzip, gzip'])}`, `Content-Length: ${body.length}`, 'Connection: close']
  return { name: 'gzip body', bytes: Buffer.concat([b(request('POST', '/v1/lookups/citizen.lookup', head)), body]), requests: 1, method: 'POST', url: '/v1/lookups/citizen.lookup' }
}

/** A request of the inject fuzz sent over a real socket: the real parser sees the header values inject refused. */
export function replay (req: FuzzRequest, route: string): WireCase {
  const payload = req.payload === undefined ? Buffer.alloc(0) : Buffer.from(req.payload)
  const head = ['Host: gateway', 'Connection: close', ...Object.entries(req.headers).filter(([k]) => k !== 'content-length').map(([k, v]) => `${k}: ${v}`)]
  if (payload.length > 0 || req.headers['content-length'] !== undefined) head.push(`Content-Length: ${req.headers['content-length'] ?? payload.length}`)
  const text = Buffer.from(request(req.method, req.url.split('#')[0], head), 'utf8')
  const incomplete = req.headers['content-length'] !== undefined && req.headers['content-length'] !== String(payload.length)
  return { name: `replayed ${req.notes.join(' ')}`, bytes: Buffer.concat([text, payload]), requests: 1, method: req.method, url: req.url, halfClose: incomplete, access: { route, roles: req.roles } }
}

/** One raw case: the families above in proportion. */
export function wireCase (rng: Prng, token: string): WireCase {
  const r = rng.next()
  if (r < 0.25) return headerInjection(rng, token)
  if (r < 0.4) return requestLine(rng)
  if (r < 0.55) return headerShape(rng, token)
  if (r < 0.75) return framing(rng, token)
  if (r < 0.85) return notHttp(rng)
  if (r < 0.95) return pipeline(rng, token)
  return encoded(rng, token)
}
