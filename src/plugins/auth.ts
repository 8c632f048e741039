import fp from 'fastify-plugin'
import fastifyJwt from '@fastify/jwt'
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import { randomUUID } from 'node:crypto'
import { ClientStore, type Role, type Client, type ClientLimits } from '../auth/clients.js'
import { loadPublicKeys, loadSigningKey, toJwk, SIGNING_ALG, type PublicJwk } from '../auth/signing-keys.js'
import { ExternalKeys } from '../auth/external-jwks.js'
import { Revocations } from '../auth/revocations.js'
import { VerifiedTokens } from '../auth/verified-tokens.js'
import { Forbidden, Unauthorized } from '../errors.js'

export interface Principal {
  clientId: string
  roles: Role[]
  grants: string[]
  limits: ClientLimits
  /** A person signed in to the console (src/plugins/console.ts), as their identity provider names them. */
  person?: { sub: string, name: string, issuer: string }
}

/** Authentication of people by their console session (src/plugins/console.ts), when that plugin is registered. */
export interface PeopleAuth {
  /** True when the request carries a console session cookie (and no bearer token). */
  owns (request: FastifyRequest): boolean
  /** Sets `request.principal` from the session, or throws 401/403 (CSRF) problems. */
  authenticate (request: FastifyRequest): Promise<void>
}

interface TokenClaims { sub: string, roles: Role[], jti: string, iat?: number, exp?: number, iss?: string, aud?: string | string[] }

declare module '@fastify/jwt' {
  interface FastifyJWT { payload: TokenClaims, user: TokenClaims }
}

declare module 'fastify' {
  interface FastifyInstance {
    clients: ClientStore
    peopleAuth?: PeopleAuth
    revocations: Revocations
    authenticate: (request: FastifyRequest) => Promise<void>
    requireRole: (...roles: Role[]) => preHandlerAsyncHookHandler
    tokens: { issue (client: Client): { accessToken: string, expiresIn: number }, jwks (): { keys: PublicJwk[] } }
  }
  interface FastifyRequest {
    principal: Principal
    /** Why authentication failed (for the `auth.failed` audit event), and the client the caller claimed to be. */
    authFailure?: { reason: string, claimedClientId?: string }
  }
}

const GATEWAY_ALGS = [SIGNING_ALG]

/** The `sub` a bearer token claims, read without trusting it (for the audit of a refused token). */
function claimedSubject (authorization: string): string | undefined {
  try {
    const payload = authorization.replace(/^Bearer\s+/i, '').split('.')[1] ?? ''
    const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub
    return typeof sub === 'string' ? sub : undefined
  } catch {
    return undefined
  }
}
const EXTERNAL_ALGS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']

/**
 * Identity: client registry, gateway-signed ES256 tokens (kid, ≤ 15 min), verification through
 * @fastify/jwt with its verified-token cache, and an optional external issuer verified by its JWKS.
 */
export default fp(async function auth (app) {
  const { jwt: cfg } = app.config
  const revocations = new Revocations(app.db)
  await revocations.load()
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
  app.decorate('revocations', revocations)
  app.decorate('tokens', {
    issue (client: Client) {
      const accessToken = app.jwt.sign({ sub: client.id, roles: client.roles, jti: randomUUID() })
      return { accessToken, expiresIn: cfg.ttlSeconds }
    },
    jwks () {
      return { keys: [...publicKeys].map(([kid, pem]) => toJwk(kid, pem)) }
    }
  })

  const verified = new VerifiedTokens<TokenClaims>()
  app.decorateRequest('principal', null as unknown as Principal)
  app.decorate('authenticate', async function authenticate (request: FastifyRequest) {
    if (request.headers.authorization === undefined && app.peopleAuth?.owns(request) === true) {
      await app.peopleAuth.authenticate(request)
      return
    }
    if (request.headers.authorization === undefined) {
      request.authFailure = { reason: 'missing_token' }
      throw new Unauthorized('Missing bearer token')
    }
    let claims = verified.get(request.headers.authorization)
    if (claims === undefined) {
      try {
        claims = await request.jwtVerify<TokenClaims>()
        verified.set(request.headers.authorization, claims)
      } catch (err) {
        const e = err as { message?: string }
        request.authFailure = { reason: 'invalid_token', claimedClientId: claimedSubject(request.headers.authorization) }
        throw new Unauthorized(`Invalid token: ${e.message ?? 'verification failed'}`)
      }
    }
    const client = await clients.cached(claims.sub)
    if (client === undefined || !client.enabled) {
      request.authFailure = { reason: client === undefined ? 'unknown_client' : 'disabled_client', claimedClientId: claims.sub }
      throw new Unauthorized('Client is unknown or disabled')
    }
    if (revocations.has(claims.jti)) {
      request.authFailure = { reason: 'revoked_token', claimedClientId: claims.sub }
      throw new Unauthorized('Token has been revoked')
    }
    // A token issued before the client's secret was rotated belongs to whoever held the old secret.
    if (claims.iat !== undefined && claims.iat * 1000 < Date.parse(client.secretRotatedAt) - 1000) {
      request.authFailure = { reason: 'rotated_secret', claimedClientId: claims.sub }
      throw new Unauthorized('Token predates a rotation of the client secret')
    }
    const tokenRoles = Array.isArray(claims.roles) ? claims.roles : []
    request.principal = {
      clientId: client.id,
      roles: client.roles.filter((r) => tokenRoles.includes(r)),
      grants: client.grants,
      limits: client.limits
    }
  })
  app.decorate('requireRole', (...roles: Role[]) => async function requireRole (request: FastifyRequest) {
    if (!request.principal.roles.some((r) => roles.includes(r))) {
      throw new Forbidden(`This operation needs the role ${roles.join(' or ')}`)
    }
  })

  // Every authentication failure (a bearer token refused, bad client credentials at the token endpoint) is an
  // `auth.failed` audit event, recorded after the 401 has been sent.
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode !== 401 || !app.hasDecorator('audit')) return
    const body = request.body as { client_id?: unknown } | undefined
    const failure = request.authFailure ?? {
      reason: 'bad_credentials',
      claimedClientId: typeof body?.client_id === 'string' ? body.client_id : undefined
    }
    try {
      app.audit.emit({
        kind: 'auth.failed',
        outcome: 'denied',
        traceId: request.traceId,
        spanId: request.spanId,
        requestId: request.id,
        httpStatus: 401,
        durationMs: reply.elapsedTime,
        errorCode: 'UNAUTHORIZED',
        details: { reason: failure.reason, claimedClientId: failure.claimedClientId?.slice(0, 64), method: request.method, route: request.routeOptions.url ?? null }
      })
    } catch (err) {
      request.log.warn({ err: (err as Error).message }, 'auth.failed event not recorded')
    }
  })

  if (app.config.admin !== undefined) {
    await clients.upsertWithSecret({ id: app.config.admin.id, name: 'Bootstrap administrator', roles: ['admin'] }, app.config.admin.secret)
    app.log.info({ clientId: app.config.admin.id }, 'bootstrap admin client created or updated')
  }
}, { name: 'auth', dependencies: ['config', 'db'] })
