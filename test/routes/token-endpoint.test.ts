import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, ADMIN } from '../helper.js'
import { auditRows } from '../audit/helper.js'

const AUDIT = { AUDIT_KEY: 'test-audit-key-0123456789abcdef' }
const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
const token = async (app: FastifyInstance, payload: Record<string, string>, headers: Record<string, string> = {}) =>
  await app.inject({ method: 'POST', url: '/v1/auth/token', headers, payload })

t.test('errors are RFC 6749 §5.2 JSON with the problem fields beside them', async (t) => {
  const app = await build(t)
  await app.clients.create({ id: 'province-a', name: 'A', roles: ['system'] })

  const bad = await token(app, { grant_type: 'client_credentials', client_id: 'province-a', client_secret: 'wrong' })
  t.equal(bad.statusCode, 401)
  t.match(bad.headers['content-type'], /^application\/json/)
  t.equal(bad.headers['cache-control'], 'no-store')
  t.match(bad.json(), { error: 'invalid_client', error_description: String, status: 401, code: 'UNAUTHORIZED', type: String, title: String })
  t.equal(bad.headers['www-authenticate'], undefined, 'credentials in the body: no challenge, the body says it')

  const byBasic = await token(app, { grant_type: 'client_credentials' }, { authorization: basic('province-a', 'wrong') })
  t.equal(byBasic.statusCode, 401)
  t.match(byBasic.headers['www-authenticate'], /^Basic realm="lienthong"/, 'Basic was used: 401 challenges Basic')
  t.equal(byBasic.json().error, 'invalid_client')

  const password = await token(app, { grant_type: 'password', username: 'a', password: 'b' })
  t.equal(password.statusCode, 400)
  t.match(password.json(), { error: 'unsupported_grant_type', code: 'UNSUPPORTED_GRANT_TYPE', status: 400 }, 'its parameters are ignored (RFC 6749 §3.2)')
  const repeated = await app.inject({ method: 'POST', url: '/v1/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=client_credentials&client_id=a&client_id=b&client_secret=x' })
  t.match(repeated.json(), { error: 'invalid_request', status: 400 }, 'a repeated parameter')
  const missing = await token(app, { client_id: 'province-a', client_secret: 'x' })
  t.match(missing.json(), { error: 'invalid_request', code: 'VALIDATION_FAILED' })
  const none = await token(app, { grant_type: 'client_credentials' })
  t.match(none.json(), { error: 'invalid_client', status: 401 })
  const json = await app.inject({ method: 'POST', url: '/v1/auth/token', headers: { 'content-type': 'application/json' }, payload: '{"grant_type":' })
  t.match(json.json(), { error: 'invalid_request', status: 400 })
})

t.test('Basic credentials with % in id or secret: 400 invalid_request, never a 500; escapes are decoded', async (t) => {
  const app = await build(t)
  const { secret } = await app.clients.create({ id: 'province-c', name: 'C', roles: ['system'] })
  for (const [id, s] of [['province-c', '100%'], ['%zz', 'x'], ['a%', 'b'], ['province-c', '%E0%A4%A']]) {
    const res = await token(app, { grant_type: 'client_credentials' }, { authorization: basic(id, s) })
    t.equal(res.statusCode, 400, `${id}:${s}`)
    t.match(res.json(), { error: 'invalid_request', code: 'VALIDATION_FAILED' })
  }
  const ok = await token(app, { grant_type: 'client_credentials' }, { authorization: basic('province%2Dc', encodeURIComponent(secret)) })
  t.equal(ok.statusCode, 200, 'form-urlencoded id and secret are decoded')
  const noColon = await token(app, { grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from('province-c').toString('base64')}` })
  t.equal(noColon.statusCode, 400)
})

t.test('HTTP Basic guesses are limited and audited under the Basic id, whatever client_id the body names', async (t) => {
  const app = await build(t, { env: { TOKEN_RATE_PER_MINUTE: '3', ...AUDIT } })
  // the attack: Basic against the admin, a random decoy client_id in the body each time
  const decoys = []
  for (let i = 0; i < 6; i++) {
    decoys.push(await token(app, { grant_type: 'client_credentials', client_id: `decoy-${i}` }, { authorization: basic(ADMIN.id, `guess-${i}`), 'x-request-id': `decoy-${i}` }))
  }
  t.same(decoys.map((r) => r.statusCode), [400, 400, 400, 400, 400, 400], 'two identities in one request are refused before any hashing')
  t.match(decoys[0].json(), { error: 'invalid_request' })

  const codes = []
  for (let i = 0; i < 5; i++) {
    codes.push((await token(app, { grant_type: 'client_credentials' }, { authorization: basic(ADMIN.id, `guess-${i}`), 'x-request-id': `basic-${i}` })).statusCode)
  }
  t.same(codes, [401, 401, 401, 429, 429], 'the limit counts the Basic id')
  const same = await token(app, { grant_type: 'client_credentials', client_id: ADMIN.id }, { authorization: basic(ADMIN.id, 'guess-x') })
  t.equal(same.statusCode, 429, 'a body client_id equal to the Basic id is allowed and counted the same')
  const events = (await auditRows(app)).filter((r) => String(r.request_id).startsWith('basic-'))
  t.equal(events.length, 3)
  for (const e of events) t.match(e, { kind: 'auth.failed', details: { reason: 'bad_credentials', claimedClientId: ADMIN.id } })
  t.equal((await auditRows(app)).filter((r) => String(r.request_id).startsWith('decoy-')).length, 0, 'no auth.failed for a 400')
})

t.test('per address: token requests for ever new client ids are limited before the body is read', async (t) => {
  const app = await build(t, { env: { TOKEN_RATE_PER_ADDRESS_PER_MINUTE: '5' } })
  const codes = []
  for (let i = 0; i < 7; i++) codes.push((await token(app, { grant_type: 'client_credentials', client_id: `unknown-${i}`, client_secret: 'x' })).statusCode)
  t.same(codes, [401, 401, 401, 401, 401, 429, 429])
  const refused = await token(app, { grant_type: 'client_credentials', client_id: 'another', client_secret: 'x' })
  t.match(refused.json(), { error: 'temporarily_unavailable', code: 'RATE_LIMITED', detail: /5 token requests from this address per minute/ })
  t.ok(Number(refused.headers['retry-after']) >= 1 && Number(refused.headers['retry-after']) <= 60, 'Retry-After within the minute')
  const other = await app.inject({ method: 'POST', url: '/v1/auth/token', remoteAddress: '127.0.0.9', payload: { grant_type: 'client_credentials', client_id: ADMIN.id, client_secret: ADMIN.secret } })
  t.equal(other.statusCode, 200, 'another address is served')
})

t.test('secret checks run a bounded number at a time; the rest get a fast 503 with Retry-After', async (t) => {
  const app = await build(t, { env: { SECRET_HASH_COST: '32768', TOKEN_HASH_CONCURRENCY: '1', TOKEN_HASH_QUEUE: '1', TOKEN_HASH_WAIT_MS: '5000' } })
  const answers = await Promise.all(Array.from({ length: 8 }, async (_, i) =>
    await token(app, { grant_type: 'client_credentials', client_id: `nobody-${i}`, client_secret: 'x' })))
  const codes = answers.map((r) => r.statusCode)
  t.ok(codes.filter((c) => c === 401).length >= 1 && codes.filter((c) => c === 401).length <= 2, `one checking, one waiting: ${codes.join(',')}`)
  const busy = answers.filter((r) => r.statusCode === 503)
  t.ok(busy.length >= 6, `the rest refused: ${codes.join(',')}`)
  t.match(busy[0].json(), { error: 'temporarily_unavailable', code: 'SERVICE_UNAVAILABLE' })
  t.equal(busy[0].headers['retry-after'], '1')
  t.equal((await token(app, { grant_type: 'client_credentials', client_id: ADMIN.id, client_secret: ADMIN.secret })).statusCode, 200, 'free again afterwards')
})

t.test('RFC 8414 metadata, RFC 9068 access tokens, RFC 6750 challenges on every 401', async (t) => {
  const app = await build(t)
  const meta = await app.inject({ url: '/.well-known/oauth-authorization-server', headers: { host: 'gw.example:8443' } })
  t.equal(meta.statusCode, 200)
  t.same(meta.json(), {
    issuer: 'http://gw.example:8443',
    token_endpoint: 'http://gw.example:8443/v1/auth/token',
    jwks_uri: 'http://gw.example:8443/.well-known/jwks.json',
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    response_types_supported: [],
    service_documentation: 'http://gw.example:8443/docs'
  })
  const fixed = await build(t, { env: { PUBLIC_URL: 'https://gateway.example.gov.vn/' } })
  t.equal((await fixed.inject({ url: '/.well-known/oauth-authorization-server', headers: { host: 'evil.example' } })).json().issuer, 'https://gateway.example.gov.vn', 'PUBLIC_URL, not the Host header')

  const res = await token(app, { grant_type: 'client_credentials', client_id: ADMIN.id, client_secret: ADMIN.secret })
  t.equal(res.headers['cache-control'], 'no-store')
  const [header, claims] = res.json().access_token.split('.').slice(0, 2).map((p: string) => JSON.parse(Buffer.from(p, 'base64url').toString()))
  t.equal(header.typ, 'at+jwt')
  t.equal(claims.client_id, ADMIN.id)

  const missing = await app.inject('/v1/services')
  t.equal(missing.statusCode, 401)
  t.equal(missing.headers['www-authenticate'], 'Bearer realm="lienthong"')
  const invalid = await app.inject({ url: '/v1/admin/clients', headers: { authorization: 'Bearer not.a.token' } })
  t.match(invalid.headers['www-authenticate'], /^Bearer realm="lienthong", error="invalid_token", error_description="[^"]+"$/)
  t.match(invalid.headers['content-type'], /^application\/problem\+json/)
})

t.test('a token minted just before a rotation of the secret does not survive it', async (t) => {
  const app = await build(t, { env: { CLIENT_CACHE_TTL_MS: '0' } })
  let secret = (await app.clients.create({ id: 'rotating-now', name: 'r', roles: ['system'] })).secret
  const services = async (accessToken: string): Promise<number> =>
    (await app.inject({ url: '/v1/services', headers: { authorization: `Bearer ${accessToken}` } })).statusCode
  for (let i = 0; i < 3; i++) {
    const before = (await token(app, { grant_type: 'client_credentials', client_id: 'rotating-now', client_secret: secret })).json().access_token as string
    t.equal(await services(before), 200)
    // no wait: the rotation falls within the second of the token's iat
    secret = await app.clients.rotateSecret('rotating-now') as string
    t.equal(await services(before), 401, `round ${i}: the token from before the rotation`)
  }
  const fresh = (await token(app, { grant_type: 'client_credentials', client_id: 'rotating-now', client_secret: secret })).json().access_token as string
  t.equal(await services(fresh), 200, 'a token after the rotation works')
})
