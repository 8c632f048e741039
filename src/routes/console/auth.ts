import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { parse as parseCookie, serialize } from 'cookie'
import { NotFound, ServiceUnavailable, Unauthorized } from '../../errors.js'
import { personRoles } from '../../console/roles.js'

const LOGIN_COOKIE = 'lienthong-console-login'
/** A return address is a page of the console: no scheme, no host, no `//`, no backslash. */
const RETURN_TO = /^\/console\/[A-Za-z0-9/_.-]{0,200}(\?[A-Za-z0-9=&_.%-]{0,400})?$/

const safeReturnTo = (value: unknown): string => typeof value === 'string' && RETURN_TO.test(value) && !value.includes('//') ? value : '/console/'

const param = (maxLength: number): { type: 'string', maxLength: number } => ({ type: 'string', maxLength })
/**
 * What an identity provider sends back to the redirect URI: the authorization response (RFC 6749 §4.1.2) or its
 * error (§4.1.2.1), the issuer (RFC 9207) and the session state (OpenID Connect Session Management). The client
 * "MUST ignore unrecognized response parameters" (RFC 6749 §4.1.2): providers add their own (Google's `scope`,
 * `authuser`…), so this page, unlike the API, accepts parameters it does not list — openid-client reads the ones
 * it needs from the URL and checks them.
 */
const callbackQuery = {
  type: 'object',
  additionalProperties: true,
  properties: {
    code: param(2048),
    state: param(512),
    iss: param(2048),
    session_state: param(2048),
    error: param(256),
    error_description: param(2048),
    error_uri: param(2048)
  }
} as const

/** Who is signed in, as the page learns it (`GET /console/auth/session`): never a token, only the CSRF token. */
const sessionAnswer = {
  type: 'object',
  required: ['signedIn', 'providerConfigured'],
  properties: {
    signedIn: { type: 'boolean' },
    providerConfigured: { type: 'boolean', description: 'false: no CONSOLE_OIDC_ISSUER, nobody can sign in' },
    person: {
      type: 'object',
      required: ['sub', 'name', 'roles'],
      properties: { sub: { type: 'string' }, name: { type: 'string' }, roles: { type: 'array', items: { type: 'string', enum: ['admin', 'auditor'] } } }
    },
    csrf: { type: 'string', description: 'Sent back as X-CSRF-Token on every state-changing call' },
    idleSeconds: { type: 'integer', minimum: 0 }
  }
} as const

/** Where the page sends the browser after sign-out (the provider's end-session address, or the console). */
const logoutAnswer = { type: 'object', required: ['endSessionUrl'], properties: { endSessionUrl: { type: 'string' } } } as const

/**
 * Sign-in of people to the console, as the relying party of their identity provider (src/console/oidc.ts):
 * `login` sends the browser to the provider (state, nonce and PKCE kept in Redis and the state bound to this
 * browser by a short cookie), `callback` exchanges the code, checks the ID token against the provider's JWKS and
 * opens a session, `session` tells the page who is signed in (and the CSRF token), `logout` closes the session
 * and answers where to end the provider's session too (RP-initiated logout). They are the console's own (a backend
 * for frontend, by cookie), not the API (by bearer token): hidden from the OpenAPI document, their answers declared.
 */
export default async function consoleAuthRoutes (app: FastifyInstance): Promise<void> {
  const { sessions, oidc, cookieName, secureCookie } = app.console
  const cfg = app.config.console
  const cookie = (name: string, value: string, maxAgeS: number, sameSite: 'strict' | 'lax'): string =>
    serialize(name, value, { httpOnly: true, secure: secureCookie, sameSite, path: '/', maxAge: maxAgeS })
  const noStore = (reply: FastifyReply): FastifyReply => reply.header('cache-control', 'no-store')
  const provider = (): NonNullable<typeof oidc> => {
    if (oidc === undefined) throw new NotFound('No identity provider is configured for the console (CONSOLE_OIDC_ISSUER)')
    return oidc
  }

  app.get<{ Querystring: { returnTo?: string } }>('/console/auth/login', {
    schema: { hide: true, querystring: { type: 'object', properties: { returnTo: { type: 'string', maxLength: 700 } } } }
  }, async (request, reply) => {
    let started
    try {
      started = await provider().start(safeReturnTo(request.query.returnTo))
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND') throw err
      request.log.warn({ err: (err as Error).message }, 'identity provider unreachable')
      throw new ServiceUnavailable('The identity provider does not answer; retry in a moment')
    }
    await sessions.savePending(started.pending)
    // Lax: the provider's redirect back is a cross-site navigation, which a Strict cookie would not accompany.
    return await noStore(reply).header('set-cookie', cookie(LOGIN_COOKIE, started.pending.state, 600, 'lax')).redirect(started.url, 302)
  })

  app.get('/console/auth/callback', { schema: { hide: true, querystring: callbackQuery } }, async (request, reply) => {
    const url = new URL(request.url, cfg.publicUrl)
    const state = url.searchParams.get('state') ?? ''
    const bound = parseCookie(request.headers.cookie ?? '')[LOGIN_COOKIE]
    const pending = bound === state ? await sessions.takePending(state) : undefined
    if (pending === undefined) {
      request.authFailure = { reason: 'console_login_state' }
      throw new Unauthorized('This sign-in was not started here or has expired: start again from the console')
    }
    let signedIn
    try {
      signedIn = await provider().finish(url, pending)
    } catch (err) {
      request.log.warn({ err: (err as Error).message }, 'console sign-in refused')
      request.authFailure = { reason: 'console_login_refused' }
      throw new Unauthorized('The identity provider\'s answer was refused: start again from the console')
    }
    const roles = personRoles(signedIn.claims, cfg)
    const sub = String(signedIn.claims.sub)
    const name = typeof signedIn.claims.name === 'string' ? signedIn.claims.name : typeof signedIn.claims.preferred_username === 'string' ? signedIn.claims.preferred_username : sub
    const { id } = await sessions.create({ sub, name, roles, idToken: signedIn.idToken, refreshToken: signedIn.refreshToken, expiresAt: signedIn.expiresAt })
    request.log.info({ person: sub, roles }, 'console sign-in')
    return await noStore(reply)
      .header('set-cookie', [cookie(cookieName, id, cfg.sessionMaxSeconds, 'strict'), cookie(LOGIN_COOKIE, '', 0, 'lax')])
      .redirect(pending.returnTo, 302)
  })

  const sessionOf = async (request: FastifyRequest): Promise<{ id: string } | undefined> => {
    const id = parseCookie(request.headers.cookie ?? '')[cookieName]
    return id === undefined ? undefined : { id }
  }

  app.get('/console/auth/session', { schema: { hide: true, response: { 200: sessionAnswer } } }, async (request, reply) => {
    noStore(reply)
    const ref = await sessionOf(request)
    const found = ref !== undefined ? await sessions.get(ref.id) : undefined
    const session = ref !== undefined && found !== undefined ? await app.console.fresh(ref.id, found) : undefined
    if (session === undefined) return { signedIn: false, providerConfigured: oidc !== undefined }
    return {
      signedIn: true,
      providerConfigured: true,
      person: { sub: session.sub, name: session.name, roles: session.roles },
      csrf: session.csrf,
      idleSeconds: Math.round(sessions.idleMs / 1000)
    }
  })

  app.post('/console/auth/logout', { schema: { hide: true, response: { 200: logoutAnswer } } }, async (request, reply) => {
    noStore(reply)
    const ref = await sessionOf(request)
    const session = ref !== undefined ? await sessions.get(ref.id) : undefined
    if (session === undefined || ref === undefined) {
      return await reply.header('set-cookie', cookie(cookieName, '', 0, 'strict')).send({ endSessionUrl: '/console/' })
    }
    // the same CSRF rule as the API's state-changing calls
    await app.peopleAuth?.authenticate(request)
    await sessions.delete(ref.id)
    let endSessionUrl = '/console/'
    try {
      endSessionUrl = await provider().endSessionUrl(session.idToken)
    } catch (err) {
      request.log.warn({ err: (err as Error).message }, 'identity provider unreachable at sign-out; the console session is closed')
    }
    return await reply.header('set-cookie', cookie(cookieName, '', 0, 'strict')).send({ endSessionUrl })
  })
}
