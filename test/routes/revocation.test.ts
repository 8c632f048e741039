import t from 'tap'
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { build, testConfig, tokenFor, upstream } from '../helper.js'
import { waitFor } from '../deliveries/helper.js'

const services = async (app: FastifyInstance, token: string): Promise<number> =>
  (await app.inject({ url: '/v1/services', headers: { authorization: `Bearer ${token}` } })).statusCode

t.test('a jti with ":" revoked on one instance is refused on every instance', async (t) => {
  const config = await testConfig(t, { CLIENT_CACHE_TTL_MS: '0' })
  const one = await build(t, { config })
  const two = await build(t, { config })
  const admin = await tokenFor(one, ['admin'])
  await one.clients.create({ id: 'province-r', name: 'R', roles: ['system'] })
  for (const jti of ['urn:uuid:' + randomUUID(), 'a:b:c', '"quoted",[json]:1']) {
    const token = one.jwt.sign({ sub: 'province-r', roles: ['system'], jti })
    t.equal(await services(two, token), 200, `${jti}: accepted before`)
    const res = await one.inject({ method: 'POST', url: '/v1/admin/tokens/revoke', headers: { authorization: `Bearer ${admin}` }, payload: { jti } })
    t.equal(res.statusCode, 200, res.body)
    t.equal(await services(one, token), 401, `${jti}: refused where it was revoked`)
    await waitFor(async () => await services(two, token) === 401, 10_000, `${jti} refused on the other instance`)
    t.pass(`${jti}: refused on the other instance`)
  }
})

/** An external identity provider: an ES256 key published at a JWKS URL, and tokens it signs. */
async function externalIssuer (t: Tap.Test): Promise<{ jwksUrl: string, sign: (claims: Record<string, unknown>) => string }> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'idp-1', alg: 'ES256', use: 'sig' }
  const url = await upstream(t, (up) => up.get('/jwks', async () => ({ keys: [jwk] })))
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url')
  return {
    jwksUrl: `${url}/jwks`,
    sign: (claims) => {
      const input = `${b64({ alg: 'ES256', typ: 'JWT', kid: 'idp-1' })}.${b64(claims)}`
      return `${input}.${createSign('SHA256').update(input).sign({ key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
    }
  }
}

t.test('external tokens: a revocation by jti outlives the token, whatever the gateway\'s own token lifetime', async (t) => {
  const idp = await externalIssuer(t)
  const app = await build(t, {
    env: { JWT_TTL_SECONDS: '60', EXTERNAL_JWT_ISSUER: 'https://idp.example', EXTERNAL_JWKS_URL: idp.jwksUrl, EXTERNAL_JWT_AUDIENCE: 'lienthong', EXTERNAL_JWT_MAX_LIFETIME_SECONDS: '7200' }
  })
  const admin = await tokenFor(app, ['admin'])
  await app.clients.create({ id: 'province-x', name: 'X', roles: ['system'] })
  const now = Math.floor(Date.now() / 1000)
  const claims = { iss: 'https://idp.example', aud: 'lienthong', sub: 'province-x', roles: ['system'], iat: now, exp: now + 3600 }
  const token = idp.sign({ ...claims, jti: 'idp:token:1' })
  t.equal(await services(app, token), 200, 'an external token is accepted')

  const res = await app.inject({ method: 'POST', url: '/v1/admin/tokens/revoke', headers: { authorization: `Bearer ${admin}` }, payload: { jti: 'idp:token:1' } })
  t.equal(res.statusCode, 200)
  t.ok(Date.parse(res.json().until) >= claims.exp * 1000, `kept until ${res.json().until as string}, the token lives until ${new Date(claims.exp * 1000).toISOString()}`)
  const { rows } = await app.db.query<{ expires_at: Date }>('SELECT expires_at FROM revoked_tokens WHERE jti = $1', ['idp:token:1'])
  t.ok(rows[0].expires_at.getTime() >= claims.exp * 1000, 'and so in PostgreSQL, for the instances that start later')
  t.equal(await services(app, token), 401)

  t.equal(await services(app, idp.sign({ ...claims, jti: 'long', exp: now + 7201 })), 401, 'a token living longer than the bound a revocation covers')
  const { iat: _iat, ...noIat } = claims
  t.equal(await services(app, idp.sign({ ...noIat, jti: 'no-iat' })), 401, 'an external token without iat')
})
