import { timingSafeEqual } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { parse as parseCookie } from 'cookie'
import { Forbidden, Unauthorized } from '../errors.js'
import { AgencyScope } from '../auth/agencies.js'
import { ConsoleSessions, type ConsoleSession } from '../console/sessions.js'
import { PeopleOidc } from '../console/oidc.js'
import { personRoles } from '../console/roles.js'
import { TrafficSeries } from '../console/traffic.js'
import { peekLookupRecord } from '../audit/lookup-audit.js'
import consoleRoutes from '../routes/console/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    console: {
      sessions: ConsoleSessions
      oidc?: PeopleOidc
      /** Request rate, errors and latency per service and connector, by minute, over the last hour (this instance). */
      traffic: TrafficSeries
      cookieName: string
      secureCookie: boolean
      /** Refreshes the session's tokens when they expire; undefined when the provider refuses (signed out). */
      fresh (id: string, session: ConsoleSession): Promise<ConsoleSession | undefined>
    }
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const REFRESH_MARGIN_MS = 30_000

function sameText (a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * The web console (docs/security.md § Console): its static assets and sign-in routes (src/routes/console/), and
 * the people's path into the API — a backend for frontend. The gateway does the OpenID Connect code exchange and
 * keeps the tokens in Redis; the browser holds only an HttpOnly, SameSite=Strict session cookie, and every
 * state-changing call also carries the session's CSRF token and, when the browser sends one, the console's Origin.
 */
export default fp(async function consolePlugin (app) {
  const cfg = app.config.console
  const secureCookie = new URL(cfg.publicUrl).protocol === 'https:'
  const cookieName = secureCookie ? '__Host-lienthong-console' : 'lienthong-console'
  const sessions = new ConsoleSessions(app.redis.client, app.config.queuePrefix, cfg.sessionIdleSeconds * 1000, cfg.sessionMaxSeconds * 1000)
  const oidc = cfg.oidc !== undefined ? new PeopleOidc(cfg.oidc, cfg.publicUrl) : undefined
  const traffic = new TrafficSeries()
  const origin = new URL(cfg.publicUrl).origin

  // One refresh per session at a time in this instance; another instance that lost the race re-reads the session.
  const refreshing = new Map<string, Promise<ConsoleSession | undefined>>()
  async function fresh (id: string, session: ConsoleSession): Promise<ConsoleSession | undefined> {
    if (session.expiresAt - REFRESH_MARGIN_MS > Date.now()) return session
    let running = refreshing.get(id)
    if (running === undefined) {
      running = (async () => {
        if (oidc === undefined || session.refreshToken === undefined) return undefined
        try {
          const next = await oidc.refresh(session.refreshToken)
          const roles = personRoles(next.claims, cfg)
          const updated: ConsoleSession = { ...session, roles, idToken: next.idToken, refreshToken: next.refreshToken, expiresAt: next.expiresAt }
          await sessions.update(id, updated)
          return updated
        } catch (err) {
          const again = await sessions.get(id)
          if (again !== undefined && again.expiresAt - REFRESH_MARGIN_MS > Date.now()) return again
          app.log.info({ err: (err as Error).message }, 'console session refresh refused; signed out')
          await sessions.delete(id)
          return undefined
        } finally {
          refreshing.delete(id)
        }
      })()
      refreshing.set(id, running)
    }
    return await running
  }

  const sessionId = (request: FastifyRequest): string | undefined => {
    const header = request.headers.cookie
    return header === undefined ? undefined : parseCookie(header)[cookieName]
  }

  app.decorate('console', { sessions, oidc, traffic, cookieName, secureCookie, fresh })
  app.decorate('peopleAuth', {
    owns: (request: FastifyRequest) => sessionId(request) !== undefined,
    async authenticate (request: FastifyRequest) {
      const id = sessionId(request) ?? ''
      const found = await sessions.get(id)
      const session = found !== undefined ? await fresh(id, found) : undefined
      if (session === undefined) {
        request.authFailure = { reason: 'console_session' }
        throw new Unauthorized('The console session has expired or is unknown: sign in again')
      }
      if (!SAFE_METHODS.has(request.method)) {
        const given = request.headers['x-csrf-token']
        const from = request.headers.origin
        if (typeof given !== 'string' || !sameText(given, session.csrf) || (from !== undefined && from !== origin)) {
          throw new Forbidden('The request lacks the console session\'s CSRF token or comes from another origin')
        }
      }
      request.principal = {
        clientId: `person:${session.sub}`.slice(0, 128),
        roles: session.roles,
        grants: [],
        purposes: {},
        // a person acts for no agency: dossier calls are the systems' (roles keep people off them anyway)
        agencies: new AgencyScope([]),
        limits: {},
        person: { sub: session.sub, name: session.name, issuer: oidc?.issuer ?? '' }
      }
    }
  })

  app.addHook('onResponse', (request, reply, done) => {
    const rec = peekLookupRecord(request)
    if (rec?.service !== undefined) {
      const failed = reply.statusCode >= 500
      traffic.record(`service:${rec.service}`, reply.elapsedTime, failed)
      for (const a of rec.attempts) traffic.record(`connector:${a.connector}`, a.durationMs, !a.ok)
    }
    done()
  })

  await app.register(consoleRoutes)
}, { name: 'console', dependencies: ['config', 'redis', 'auth'] })
