import t from 'tap'
import { createSign, generateKeyPairSync } from 'node:crypto'
import { build, tokenFor, ADMIN } from '../helper.js'

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url')

t.test('client credentials give a short-lived ES256 token with kid that the JWKS verifies', async (t) => {
  const app = await build(t)
  const { secret } = await app.clients.create({ id: '000.00.00.H29', name: 'HCMC one-stop', roles: ['system'], grants: ['citizen.lookup'] })

  const json = await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: '000.00.00.H29', client_secret: secret } })
  t.equal(json.statusCode, 200)
  const body = json.json()
  t.equal(body.token_type, 'Bearer')
  t.ok(body.expires_in <= 900)
  const [header, payload] = body.access_token.split('.').slice(0, 2).map((p: string) => JSON.parse(Buffer.from(p, 'base64url').toString()))
  t.equal(header.alg, 'ES256')
  t.type(header.kid, 'string')
  t.equal(payload.sub, '000.00.00.H29')
  t.same(payload.roles, ['system'])
  t.type(payload.jti, 'string')
  t.ok(payload.exp - payload.iat <= 900)

  const form = await app.inject({
    method: 'POST',
    url: '/v1/auth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `grant_type=client_credentials&client_id=000.00.00.H29&client_secret=${encodeURIComponent(secret)}`
  })
  t.equal(form.statusCode, 200, 'form-encoded works too')

  const jwks = (await app.inject('/.well-known/jwks.json')).json()
  t.ok(jwks.keys.some((k: { kid: string, kty: string, alg: string }) => k.kid === header.kid && k.kty === 'EC' && k.alg === 'ES256'))
})

t.test('bad credentials are 401 invalid_client (RFC 6749 §5.2, with the problem fields), never a hint of which part was wrong', async (t) => {
  const app = await build(t)
  await app.clients.create({ id: 'province-a', name: 'A', roles: ['system'] })
  for (const payload of [
    { grant_type: 'client_credentials', client_id: 'province-a', client_secret: 'wrong' },
    { grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'wrong' },
    { grant_type: 'client_credentials', client_id: 'province-a' }
  ]) {
    const res = await app.inject({ method: 'POST', url: '/v1/auth/token', payload })
    t.equal(res.statusCode, 401)
    t.match(res.headers['content-type'], /^application\/json/)
    t.match(res.json(), { error: 'invalid_client', status: 401, code: 'UNAUTHORIZED' })
  }
  const grant = await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'password', client_id: 'a', client_secret: 'b' } })
  t.equal(grant.statusCode, 400)
  t.equal(grant.json().error, 'unsupported_grant_type')
})

t.test('missing, expired and forged tokens are refused with 401', async (t) => {
  const app = await build(t)
  const good = await tokenFor(app, ['system'], ['citizen.lookup'])
  const [h, p] = good.split('.').slice(0, 2).map((x) => JSON.parse(Buffer.from(x, 'base64url').toString()))
  const url = '/v1/services'

  t.equal((await app.inject({ url })).statusCode, 401, 'missing')
  t.equal((await app.inject({ url, headers: { authorization: `Bearer ${good}` } })).statusCode, 200, 'the good one works')
  t.equal((await app.inject({ url, headers: { authorization: 'Bearer not.a.token' } })).statusCode, 401, 'garbage')

  const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(p)}.`
  t.equal((await app.inject({ url, headers: { authorization: `Bearer ${none}` } })).statusCode, 401, 'alg none')

  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const sign = (header: unknown, payload: unknown): string => {
    const input = `${b64(header)}.${b64(payload)}`
    const sig = createSign('SHA256').update(input).sign({ key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')
    return `${input}.${sig}`
  }
  t.equal((await app.inject({ url, headers: { authorization: `Bearer ${sign(h, p)}` } })).statusCode, 401, 'another key, same kid')

  const publicPem = (app.tokens.jwks().keys[0])
  const { createHmac, createPublicKey } = await import('node:crypto')
  const pem = createPublicKey({ key: publicPem, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString()
  const hsInput = `${b64({ ...h, alg: 'HS256' })}.${b64(p)}`
  const hs = `${hsInput}.${createHmac('sha256', pem).update(hsInput).digest('base64url')}`
  t.equal((await app.inject({ url, headers: { authorization: `Bearer ${hs}` } })).statusCode, 401, 'HS256 signed with the public key')

  const expired = app.jwt.sign({ sub: p.sub, roles: p.roles, jti: 'x' }, { expiresIn: -10 } as never)
  t.equal((await app.inject({ url, headers: { authorization: `Bearer ${expired}` } })).statusCode, 401, 'expired')

  const wrongAud = app.jwt.sign({ sub: p.sub, roles: p.roles, jti: 'y' }, { aud: 'someone-else' } as never)
  t.equal((await app.inject({ url, headers: { authorization: `Bearer ${wrongAud}` } })).statusCode, 401, 'wrong audience')
})

t.test('a token verified once is taken from memory only while it is valid, and only as sent', async (t) => {
  const app = await build(t)
  const good = await tokenFor(app, ['system'], ['citizen.lookup'])
  const p = JSON.parse(Buffer.from(good.split('.')[1], 'base64url').toString())
  const url = '/v1/services'
  const call = async (token: string): Promise<number> => (await app.inject({ url, headers: { authorization: `Bearer ${token}` } })).statusCode
  const short = app.jwt.sign({ sub: p.sub, roles: p.roles, jti: 'short-lived' }, { expiresIn: '2s' } as never)
  t.equal(await call(short), 200, 'verified')
  t.equal(await call(short), 200, 'again, from memory')
  const tampered = `${short.slice(0, -2)}${short.endsWith('AA') ? 'BB' : 'AA'}`
  t.equal(await call(tampered), 401, 'another signature of the same claims is verified, and refused')
  const exp = JSON.parse(Buffer.from(short.split('.')[1], 'base64url').toString()).exp as number
  await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50))
  t.equal(await call(short), 401, 'expired while remembered')
  t.equal(await call(good), 200)
  await app.revocations.revoke(p.jti, new Date(p.exp * 1000), p.sub, 'test')
  t.equal(await call(good), 401, 'revoked after being remembered')
})

t.test('a disabled client is refused even with a token it got before', async (t) => {
  const app = await build(t, { env: { CLIENT_CACHE_TTL_MS: '0' } })
  const { secret } = await app.clients.create({ id: 'province-b', name: 'B', roles: ['system'], grants: [] })
  const token = (await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: 'province-b', client_secret: secret } })).json().access_token
  t.equal((await app.inject({ url: '/v1/services', headers: { authorization: `Bearer ${token}` } })).statusCode, 200)
  await app.clients.patch('province-b', { enabled: false })
  t.equal((await app.inject({ url: '/v1/services', headers: { authorization: `Bearer ${token}` } })).statusCode, 401)
})

t.test('the bootstrap admin from the environment can log in', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: ADMIN.id, client_secret: ADMIN.secret } })
  t.equal(res.statusCode, 200)
})
