import t from 'tap'
import { connect } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { build, testConfig, tokenFor, upstream } from '../helper.js'
import { findBinaries } from '../../src/dev/local-services.js'
import { startRedis } from '../../src/dev/redis-server.js'
import { freePort } from '../../src/dev/free-port.js'

const CITIZEN = { personalId: '079203001234', fullName: 'Nguyễn Văn A', dateOfBirth: '2003-01-01', gender: 'male', nationality: 'VN', permanentAddress: { provinceCode: '79', communeCode: '26740', detail: '1 Lê Lợi' }, status: 'alive' }

function population (url: string, runtime: Record<string, unknown> = {}) {
  return [{ id: 'population', type: 'rest-json', services: ['citizen.lookup'], provinces: null, enabled: true, config: { baseUrl: url, operations: { 'citizen.lookup': { path: '/lookup' } }, runtime } }]
}

const lookup = async (app: FastifyInstance, token: string) => await app.inject({
  method: 'POST', url: '/v1/lookups/citizen.lookup', headers: { authorization: `Bearer ${token}`, 'x-purpose': '1.000894' }, payload: { personalId: '079203001234' }
})

async function clientWith (app: FastifyInstance, limits: { perSecond?: number, perDay?: number }): Promise<string> {
  const id = `limited-${Math.random().toString(36).slice(2, 8)}`
  const { secret } = await app.clients.create({ id, name: id, roles: ['system'], grants: ['citizen.lookup'] })
  await app.clients.patch(id, { limits })
  return (await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: id, client_secret: secret } })).json().access_token
}

t.test('per-second limit: 429 RATE_LIMITED with Retry-After and RateLimit-* headers; other clients unaffected', async (t) => {
  const url = await upstream(t, (up) => up.post('/lookup', async () => CITIZEN))
  const app = await build(t, { connectors: population(url), env: { CLIENT_CACHE_TTL_MS: '0' } })
  const limited = await clientWith(app, { perSecond: 3 })
  const other = await tokenFor(app, ['system'], ['citizen.lookup'])
  const statuses: number[] = []
  let refused
  for (let i = 0; i < 10; i++) {
    const res = await lookup(app, limited)
    statuses.push(res.statusCode)
    if (res.statusCode === 429) refused = res
  }
  t.ok(statuses.includes(429), `some requests refused: ${statuses.join(',')}`)
  t.ok(statuses.filter((s) => s === 200).length >= 3)
  t.equal(refused?.json().code, 'RATE_LIMITED')
  t.ok(Number(refused?.headers['retry-after']) >= 1)
  t.ok(refused?.headers['ratelimit-limit'] !== undefined, 'RateLimit-Limit header')
  t.equal((await lookup(app, other)).statusCode, 200, 'another client still served')
})

/** Sends request headers only (a body announced, never sent) and reads what comes back within `ms`: '' if nothing. */
async function headersOnly (port: number, head: string, ms: number): Promise<string> {
  const socket = connect(port, '127.0.0.1')
  let got = ''
  socket.on('data', (chunk) => { got += String(chunk) })
  socket.write(head)
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    socket.on('data', () => { if (got.includes('\r\n\r\n')) { clearTimeout(timer); setTimeout(resolve, 50) } })
    socket.on('close', () => { clearTimeout(timer); resolve() })
  })
  socket.destroy()
  return got
}

/**
 * Fills a one-per-second window with a lookup, then sends `attempt`; tried again (at most 5 times) when the two fell
 * into different seconds, which a loaded machine can make happen between any two requests.
 */
async function inFullWindow<T> (app: FastifyInstance, token: string, attempt: () => Promise<T>, refused: (answer: T) => boolean): Promise<T> {
  let answer: T | undefined
  for (let i = 0; i < 5; i++) {
    const second = Math.floor(Date.now() / 1000)
    await lookup(app, token)
    answer = await attempt()
    if (refused(answer) || Math.floor(Date.now() / 1000) === second) return answer
  }
  return answer as T
}

t.test('a client over its limit is refused before its body is read, and its refused bodies are neither parsed nor hashed', async (t) => {
  const url = await upstream(t, (up) => up.post('/lookup', async () => CITIZEN))
  const app = await build(t, { connectors: population(url), env: { CLIENT_CACHE_TTL_MS: '0', AUDIT_KEY: 'test-audit-key-0123456789abcdef' } })
  const limited = await clientWith(app, { perSecond: 1 })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  t.equal((await lookup(app, limited)).statusCode, 200, 'the one request of this second')
  // 1 MB announced, not one byte of it sent: only a refusal that does not wait for the body can answer
  const head = `POST /v1/lookups/citizen.lookup HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${limited}\r\nx-purpose: 1.000894\r\n` +
    'content-type: application/json\r\ncontent-length: 1000000\r\n\r\n'
  const answer = await inFullWindow(app, limited, async () => await headersOnly(port, head, 5000), (a) => /^HTTP\/1\.1 429 /.test(a))
  t.match(answer, /^HTTP\/1\.1 429 /, `answered without the body: ${answer.split('\r\n')[0] || '(nothing within 5 s)'}`)
  t.match(answer, /retry-after: \d+/i)
  t.match(answer, /"code":"RATE_LIMITED"/)

  let id = ''
  const big = await inFullWindow(app, limited, async () => {
    id = `big-refused-${Math.random().toString(36).slice(2, 8)}`
    return await app.inject({ method: 'POST', url: '/v1/lookups/citizen.lookup', headers: { authorization: `Bearer ${limited}`, 'x-purpose': '1.000894', 'x-request-id': id }, payload: { personalId: '079203001234', pad: 'x'.repeat(900_000) } })
  }, (res) => res.statusCode === 429)
  t.equal(big.statusCode, 429)
  await app.auditTrail.writer.flush()
  const { rows } = await app.db.query('SELECT http_status, request_hash, request_bytes FROM audit_events WHERE request_id = $1', [id])
  t.match(rows, [{ http_status: 429, request_hash: null }], 'the refusal is audited, its body is not hashed')
})

t.test('daily quota: refused once used up, with the time until local midnight', async (t) => {
  const url = await upstream(t, (up) => up.post('/lookup', async () => CITIZEN))
  const app = await build(t, { connectors: population(url), env: { CLIENT_CACHE_TTL_MS: '0' } })
  const token = await clientWith(app, { perDay: 2 })
  t.equal((await lookup(app, token)).statusCode, 200)
  const second = await lookup(app, token)
  t.equal(second.headers['x-quota-remaining'], '0')
  const third = await lookup(app, token)
  t.equal(third.statusCode, 429)
  t.match(third.json().detail, /Daily quota/)
  t.ok(Number(third.headers['retry-after']) > 0 && Number(third.headers['retry-after']) <= 86_400)
})

t.test('revoked tokens and tokens older than a secret rotation are refused', async (t) => {
  const app = await build(t, { env: { CLIENT_CACHE_TTL_MS: '0' } })
  const admin = await tokenFor(app, ['admin'])
  const token = await tokenFor(app, ['system'], ['citizen.lookup'])
  const services = async (tok: string) => (await app.inject({ url: '/v1/services', headers: { authorization: `Bearer ${tok}` } })).statusCode
  t.equal(await services(token), 200)
  const revoke = await app.inject({ method: 'POST', url: '/v1/admin/tokens/revoke', headers: { authorization: `Bearer ${admin}` }, payload: { token } })
  t.equal(revoke.statusCode, 200, revoke.body)
  t.equal(await services(token), 401)

  const { secret } = await app.clients.create({ id: 'rotating', name: 'r', roles: ['system'] })
  const old = (await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: 'rotating', client_secret: secret } })).json().access_token
  await new Promise((resolve) => setTimeout(resolve, 1100))
  await app.clients.rotateSecret('rotating')
  t.equal(await services(old), 401, 'a token from before the rotation')
})

t.test('security headers, closed CORS, token endpoint limited', async (t) => {
  const app = await build(t, { env: { TOKEN_RATE_PER_MINUTE: '3' } })
  const docs = await app.inject('/docs/')
  t.equal(docs.headers['x-content-type-options'], 'nosniff')
  t.ok(docs.headers['content-security-policy'], 'the docs pages carry a CSP')
  // helmet's headers on a JSON answer, a 404 and a refused request alike
  for (const res of [await app.inject('/health/live'), await app.inject('/v1/nowhere'), await app.inject('/v1/services')]) {
    t.match(res.headers, {
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'x-xss-protection': '0'
    }, `security headers on a ${res.statusCode}`)
    t.equal(res.headers['content-security-policy'], undefined, 'no CSP on API answers')
    t.equal(res.headers['x-powered-by'], undefined)
  }
  const pre = await app.inject({ method: 'OPTIONS', url: '/v1/services', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } })
  t.equal(pre.headers['access-control-allow-origin'], undefined, 'no CORS unless configured')
  const codes = []
  for (let i = 0; i < 5; i++) {
    codes.push((await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: 'guess', client_secret: `x${i}` } })).statusCode)
  }
  t.same(codes.slice(0, 3), [401, 401, 401])
  t.equal(codes[4], 429, 'guessing secrets is slowed down')
})

t.test('bulkhead: a slow upstream holds a bounded number of calls; the rest get a fast 503', async (t) => {
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  const url = await upstream(t, (up) => up.post('/lookup', async () => { await gate; return CITIZEN }))
  const app = await build(t, { connectors: population(url, { bulkhead: { maxConcurrent: 1, maxQueued: 0, queueTimeoutMs: 100 }, retries: { attempts: 0 } }) })
  const token = await tokenFor(app, ['system'], ['citizen.lookup'])
  const first = lookup(app, token)
  await new Promise((resolve) => setTimeout(resolve, 100))
  const second = await lookup(app, token)
  t.equal(second.statusCode, 503)
  t.equal(second.json().code, 'UPSTREAM_UNAVAILABLE')
  release()
  t.equal((await first).statusCode, 200)
})

t.test('Redis down: lookups keep working (limits fail open), deliveries answer 503, and it recovers', async (t) => {
  const bins = findBinaries()
  const dir = await mkdtemp(join(tmpdir(), 'lienthong-redis-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const port = await freePort()
  const start = async () => await startRedis({ binary: bins.redisServer as string, dir, logFile: join(dir, 'redis.log'), port, timeoutMs: 10_000, log: () => {} })
  let redis = await start()
  t.teardown(async () => { await redis.stop('SIGTERM', 5000) })
  const url = await upstream(t, (up) => up.post('/lookup', async () => CITIZEN))
  const config = { ...await testConfig(t), redisUrl: `redis://127.0.0.1:${port}` }
  const app = await build(t, { config, connectors: population(url) })
  const token = await tokenFor(app, ['system'], ['citizen.lookup', 'dossier.sync'])
  t.equal((await lookup(app, token)).statusCode, 200)
  await redis.stop('SIGKILL', 5000)
  const during = await lookup(app, token)
  t.equal(during.statusCode, 200, `lookup with Redis down: ${during.body.slice(0, 200)}`)
  const dossier = await app.inject({ method: 'POST', url: '/v1/dossiers', headers: { authorization: `Bearer ${token}`, 'x-purpose': '1.000894' }, payload: { code: '000.00.01.H22-250715-0001' } })
  t.not(dossier.statusCode, 202, 'no 202 that is not durable')
  t.ok(dossier.statusCode < 500 || dossier.statusCode === 503, `dossier with Redis down: ${dossier.statusCode}`)
  redis = await start()
  let ready = 0
  for (let i = 0; i < 100 && ready !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    ready = (await app.inject('/health/ready')).statusCode
  }
  t.equal(ready, 200, 'ready again without a restart')
  t.equal((await lookup(app, token)).statusCode, 200)
})
