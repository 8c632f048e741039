import fp from 'fastify-plugin'
import fastifyJwt from '@fastify/jwt'
import type { FastifyRequest } from 'fastify'
import { randomUUID } from 'node:crypto'
import { ClientStore, type Role, type Client, type ClientLimits } from '../auth/clients.js'
import { loadPublicKeys, loadSigningKey, toJwk, SIGNING_ALG, type PublicJwk } from '../auth/signing-keys.js'
import { ExternalKeys } from '../auth/external-jwks.js'
import { Revocations } from '../auth/revocations.js'
import { VerifiedTokens } from '../auth/verified-tokens.js'
import { AgencyScope } from '../auth/agencies.js'
import { splitGrants } from '../auth/grants.js'
import { bearerChallenge } from '../auth/challenges.js'
import { Bulkhead } from '../lib/bulkhead.js'
import { Forbidden, ServiceUnavailable, Unauthorized } from '../errors.js'

export interface Principal {
  clientId: string
  roles: Role[]
  /** Granted service ids. */
  grants: string[]
  /** The purposes allowed per granted service, where the grant lists them (src/auth/grants.ts). */
  purposes: Readonly<Record<string, string[]>>
  /** The agencies this client acts for in dossier and progress calls. */
  agencies: AgencyScope
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

interface TokenClaims {
  sub: string
  roles: Role[]
  jti: string
  iat?: number
  exp?: number
  iss?: string
  aud?: string | string[]
  client_id?: string
  /** The client's secret rotation time (epoch ms) when the token was issued: a later rotation refuses it. */
  rot?: number
}

declare module '@fastify/jwt' {
  interface FastifyJWT { payload: TokenClaims, user: TokenClaims }
}

declare module 'fastify' {
  interface FastifyInstance {
    clients: ClientStore
    peopleAuth?: PeopleAuth
    revocations: Revocations
    authenticate: (request: FastifyRequest) => Promise<void>
    requireRole: (...roles: Role[]) => (request: FastifyRequest) => Promise<void>
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

/** A client's grants and agencies in the form the checks use, made once per cached client object. */
const checks = new WeakMap<Client, Pick<Principal, 'grants' | 'purposes' | 'agencies'>>()

/** What a request may do, from its client as stored now and the roles its token carries. */
function principalOf (client: Client, tokenRoles: readonly Role[]): Principal {
  let c = checks.get(client)
  if (c === undefined) {
    const { services, purposes } = splitGrants(client.grants)
    c = { grants: services, purposes, agencies: new AgencyScope(client.agencies) }
    checks.set(client, c)
  }
  return { clientId: client.id, roles: client.roles.filter((r) => tokenRoles.includes(r)), ...c, limits: client.limits }
}

/**
 * Identity: client registry, gateway-signed ES256 tokens (kid, ≤ 15 min), verification through
 * @fastify/jwt with its verified-token cache, and an optional external issuer verified by its JWKS.
 */
export default fp(async function auth (app) {
  const { jwt: cfg } = app.config
  // A revocation by jti alone is kept as long as the longest-lived token it could name.
  const revocations = new Revocations(app.db, Math.max(cfg.ttlSeconds, cfg.external?.maxLifetimeSeconds ?? 0) * 1000)
  await revocations.load()
  const { concurrency, queue, waitMs } = app.config.tokenHashing
  const hashing = new Bulkhead(concurrency, queue, waitMs, () => Object.assign(
    new ServiceUnavailable('Too many token requests are being checked at this moment; retry in a second'), { retryAfterSeconds: 1 }))
  const clients = new ClientStore(app.db, { hashCost: app.config.secretHashCost, cacheTtlMs: app.config.clientCacheTtlMs, hashing })
  const signing = await loadSigningKey(app.dbDirect, cfg.privateKeyFile)
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
    // RFC 9068 access tokens: `typ: at+jwt` and a `client_id` claim (verification does not require either, so
    // tokens issued before them stay valid for their lifetime).
    sign: { key: signing.privatePem, algorithm: SIGNING_ALG, kid: signing.kid, typ: 'at+jwt', iss: cfg.issuer, aud: cfg.audience, expiresIn: cfg.ttlSeconds },
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
      const accessToken = app.jwt.sign({ sub: client.id, client_id: client.id, roles: client.roles, jti: randomUUID(), rot: Date.parse(client.secretRotatedAt) })
      return { accessToken, expiresIn: cfg.ttlSeconds }
    },
    jwks () {
      return { keys: [...publicKeys].map(([kid, pem]) => toJwk(kid, pem)) }
    }
  })

  const verified = new VerifiedTokens<TokenClaims>()
  app.decorateRequest('principal', null as unknown as Principal)
  /** A 401 for a bearer token, with its RFC 6750 challenge and the reason the audit event records. */
  function refuse (request: FastifyRequest, message: string, reason: string, claimedClientId?: string): Error {
    request.authFailure = { reason, claimedClientId }
    return Object.assign(new Unauthorized(message), { wwwAuthenticate: bearerChallenge(reason === 'missing_token' ? undefined : message) })
  }
  app.decorate('authenticate', async function authenticate (request: FastifyRequest) {
    const authorization = request.headers.authorization
    if (authorization === undefined && app.peopleAuth?.owns(request) === true) {
      await app.peopleAuth.authenticate(request)
      return
    }
    if (authorization === undefined) throw refuse(request, 'Missing bearer token', 'missing_token')
    let claims = verified.get(authorization)
    if (claims === undefined) {
      try {
        claims = await request.jwtVerify<TokenClaims>()
      } catch (err) {
        const e = err as { message?: string }
        throw refuse(request, `Invalid token: ${e.message ?? 'verification failed'}`, 'invalid_token', claimedSubject(authorization))
      }
      const external = cfg.external
      if (external !== undefined && claims.iss === external.issuer && !(typeof claims.iat === 'number' && typeof claims.exp === 'number' &&
        claims.exp - claims.iat <= external.maxLifetimeSeconds)) {
        throw refuse(request, `Invalid token: an external token must carry iat and live at most ${external.maxLifetimeSeconds} s`, 'invalid_token', claims.sub)
      }
      verified.set(authorization, claims)
    }
    const client = await clients.cached(claims.sub)
    if (client === undefined || !client.enabled) {
      throw refuse(request, 'Client is unknown or disabled', client === undefined ? 'unknown_client' : 'disabled_client', claims.sub)
    }
    if (revocations.has(claims.jti)) throw refuse(request, 'Token has been revoked', 'revoked_token', claims.sub)
    // A token issued before the client's secret was rotated belongs to whoever held the old secret. Tokens of the
    // gateway say under which rotation they were issued (`rot`, to the millisecond); others only when (`iat`, whole
    // seconds, with the old second of grace).
    const rotatedAt = Date.parse(client.secretRotatedAt)
    if (typeof claims.rot === 'number' ? claims.rot !== rotatedAt : claims.iat !== undefined && claims.iat * 1000 < rotatedAt - 1000) {
      throw refuse(request, 'Token predates a rotation of the client secret', 'rotated_secret', claims.sub)
    }
    const tokenRoles = Array.isArray(claims.roles) ? claims.roles : []
    request.principal = principalOf(client, tokenRoles)
  })
  app.decorate('requireRole', (...roles: Role[]) => async function requireRole (request: FastifyRequest) {
    if (!request.principal.roles.some((r) => roles.includes(r))) {
      throw new Forbidden(`This operation needs the role ${roles.join(' or ')}`)
    }
  })

  // Every authentication failure (a bearer token refused, bad client credentials at the token endpoint) is an
  // `auth.failed` audit event, recorded after the 401 has been sent.
  // A callback hook: it runs after every response, so no promise for the common case (not a 401).
  app.addHook('onResponse', (request, reply, done) => {
    if (reply.statusCode !== 401 || !app.hasDecorator('audit')) { done(); return }
    // the token endpoint names the credentials it checked (src/routes/auth/token.ts), never a body field beside them
    const failure = request.authFailure ?? { reason: 'bad_credentials' }
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
    done()
  })

  if (app.config.admin !== undefined) {
    await clients.upsertWithSecret({ id: app.config.admin.id, name: 'Bootstrap administrator', roles: ['admin'] }, app.config.admin.secret)
    app.log.info({ clientId: app.config.admin.id }, 'bootstrap admin client created or updated')
  }
}, { name: 'auth', dependencies: ['config', 'db'] })
