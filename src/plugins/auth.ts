import fp from 'fastify-plugin'
import fastifyJwt from '@fastify/jwt'
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import { randomUUID } from 'node:crypto'
import { ClientStore, type Role, type Client } from '../auth/clients.js'
import { loadPublicKeys, loadSigningKey, toJwk, SIGNING_ALG, type PublicJwk } from '../auth/signing-keys.js'
import { ExternalKeys } from '../auth/external-jwks.js'
import { Forbidden, Unauthorized } from '../errors.js'

export interface Principal { clientId: string, roles: Role[], grants: string[] }

interface TokenClaims { sub: string, roles: Role[], jti: string, iss?: string, aud?: string | string[] }

declare module '@fastify/jwt' {
  interface FastifyJWT { payload: TokenClaims, user: TokenClaims }
}

declare module 'fastify' {
  interface FastifyInstance {
    clients: ClientStore
    authenticate: (request: FastifyRequest) => Promise<void>
    requireRole: (...roles: Role[]) => preHandlerAsyncHookHandler
    tokens: { issue (client: Client): { accessToken: string, expiresIn: number }, jwks (): { keys: PublicJwk[] } }
  }
  interface FastifyRequest { principal: Principal }
}

const GATEWAY_ALGS = [SIGNING_ALG]
const EXTERNAL_ALGS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']

/**
 * Identity: client registry, gateway-signed ES256 tokens (kid, ≤ 15 min), verification through
 * @fastify/jwt with its verified-token cache, and an optional external issuer verified by its JWKS.
 */
export default fp(async function auth (app) {
  const { jwt: cfg } = app.config
  const clients = new ClientStore(app.db, { hashCost: app.config.secretHashCost, cacheTtlMs: app.config.clientCacheTtlMs })
  const signing = await loadSigningKey(app.db, cfg.privateKeyFile)
  const publicKeys = await loadPublicKeys(app.db, signing)
  const external = cfg.external !== undefined ? new ExternalKeys(cfg.external.jwksUrl) : undefined

  await app.register(fastifyJwt, {
    secret: async (_request: FastifyRequest, token: { header: { kid?: string, alg?: string }, payload: { iss?: string } }) => {
      if (external !== undefined && token.payload.iss === cfg.external?.issuer) {
        if (!EXTERNAL_ALGS.includes(token.header.alg ?? '')) throw new Unauthorized('token algorithm not accepted')
        const key = await external.get(token.header.kid)
        if (key === undefined) throw new Unauthorized('token signed by an unknown key of the external issuer')
        return key
      }
      if (token.header.alg !== SIGNING_ALG) throw new Unauthorized('token algorithm not accepted')
      const key = publicKeys.get(token.header.kid ?? '')
      if (key === undefined) throw new Unauthorized('token signed by an unknown key')
      return key
    },
    decode: { complete: true },
    sign: { key: signing.privatePem, algorithm: SIGNING_ALG, kid: signing.kid, iss: cfg.issuer, aud: cfg.audience, expiresIn: cfg.ttlSeconds },
    verify: {
      algorithms: external !== undefined ? [...GATEWAY_ALGS, ...EXTERNAL_ALGS] : GATEWAY_ALGS,
      allowedIss: external !== undefined ? [cfg.issuer, cfg.external?.issuer ?? ''] : cfg.issuer,
      allowedAud: [cfg.audience, ...(cfg.external?.audience !== undefined ? [cfg.external.audience] : [])],
      requiredClaims: ['sub', 'exp', 'iss', 'aud'],
      cache: 10_000,
      cacheTTL: cfg.ttlSeconds * 1000
    }
  } as never)

  app.decorate('clients', clients)
  app.decorate('tokens', {
    issue (client: Client) {
      const accessToken = app.jwt.sign({ sub: client.id, roles: client.roles, jti: randomUUID() })
      return { accessToken, expiresIn: cfg.ttlSeconds }
    },
    jwks () {
      return { keys: [...publicKeys].map(([kid, pem]) => toJwk(kid, pem)) }
    }
  })

  app.decorateRequest('principal', null as unknown as Principal)
  app.decorate('authenticate', async function authenticate (request: FastifyRequest) {
    if (request.headers.authorization === undefined) throw new Unauthorized('Missing bearer token')
    let claims: TokenClaims
    try {
      claims = await request.jwtVerify<TokenClaims>()
    } catch (err) {
      const e = err as { message?: string }
      throw new Unauthorized(`Invalid token: ${e.message ?? 'verification failed'}`)
    }
    const client = await clients.cached(claims.sub)
    if (client === undefined || !client.enabled) throw new Unauthorized('Client is unknown or disabled')
    const tokenRoles = Array.isArray(claims.roles) ? claims.roles : []
    request.principal = {
      clientId: client.id,
      roles: client.roles.filter((r) => tokenRoles.includes(r)),
      grants: client.grants
    }
  })
  app.decorate('requireRole', (...roles: Role[]) => async function requireRole (request: FastifyRequest) {
    if (!request.principal.roles.some((r) => roles.includes(r))) {
      throw new Forbidden(`This operation needs the role ${roles.join(' or ')}`)
    }
  })

  if (app.config.admin !== undefined) {
    await clients.upsertWithSecret({ id: app.config.admin.id, name: 'Bootstrap administrator', roles: ['admin'] }, app.config.admin.secret)
    app.log.info({ clientId: app.config.admin.id }, 'bootstrap admin client created or updated')
  }
}, { name: 'auth', dependencies: ['config', 'db'] })
