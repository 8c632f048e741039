import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { generateKeyPairSync, randomBytes, timingSafeEqual, createHash } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import Provider, { type KoaContextWithOIDC } from 'oidc-provider'
import { devLoginPage, devLogoutPage, devMessagePage } from './identity-pages.js'

/** A person of the development identity provider. */
export interface DevPerson { username: string, name: string, roles: string[], password: string }

export interface DevIdentityProviderOptions {
  host?: string
  /** 0 = a free port. */
  port: number
  /** The console's own origin (its callback and post-logout addresses). */
  consoleUrl: string
  clientId: string
  clientSecret: string
  people: DevPerson[]
  /** Lifetimes (seconds); short ones let tests see refresh and expiry. */
  accessTokenTtl?: number
  refreshTokenTtl?: number
}

export interface DevIdentityProvider { issuer: string, close (): Promise<void> }

const MAX_FORM_BYTES = 4096

function sameSecret (given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

async function readForm (req: IncomingMessage): Promise<URLSearchParams> {
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_FORM_BYTES) throw new Error('form too large')
    chunks.push(chunk as Buffer)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

function send (res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-frame-options': 'DENY' })
  res.end(html)
}

/**
 * The development identity provider of the embedded default: a real OpenID Provider (`oidc-provider`), with one
 * confidential client (the console's backend, authorization code + PKCE, refresh tokens) and the people given.
 * Keys, cookies and grants live in memory: a restart signs everybody out. Never for production.
 */
export async function startDevIdentityProvider (opts: DevIdentityProviderOptions): Promise<DevIdentityProvider> {
  const host = opts.host ?? '127.0.0.1'
  const server: Server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, host, () => { server.off('error', reject); resolve() })
  })
  const port = (server.address() as AddressInfo).port
  const issuer = `http://${host}:${port}`
  const people = new Map(opts.people.map((p) => [p.username, p]))
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'ES256', use: 'sig' }

  const provider = new Provider(issuer, {
    clients: [{
      client_id: opts.clientId,
      client_secret: opts.clientSecret,
      client_name: 'Liên thông console',
      redirect_uris: [`${opts.consoleUrl}/console/auth/callback`],
      post_logout_redirect_uris: [`${opts.consoleUrl}/console/`],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256'
    }],
    jwks: { keys: [jwk as never] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], roles: ['roles'] },
    scopes: ['openid', 'offline_access', 'profile', 'roles'],
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ttl: {
      AccessToken: opts.accessTokenTtl ?? 600,
      IdToken: opts.accessTokenTtl ?? 600,
      RefreshToken: opts.refreshTokenTtl ?? 8 * 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
      AuthorizationCode: 60
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => { ctx.type = 'html'; ctx.body = devLogoutPage(form) },
        postLogoutSuccessSource: async (ctx) => { ctx.type = 'html'; ctx.body = devMessagePage('Đã đăng xuất (Signed out)') }
      }
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: async (ctx, out) => { ctx.type = 'html'; ctx.body = devMessagePage(`${String(out.error)}: ${String(out.error_description ?? '')}`) },
    findAccount: async (_ctx, sub) => {
      const p = people.get(sub)
      if (p === undefined) return undefined
      return { accountId: sub, claims: async () => ({ sub, name: p.name, preferred_username: p.username, roles: p.roles }) }
    },
    // The console is first-party: its grant is given at sign-in, with no consent screen.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const clientId = ctx.oidc.client?.clientId ?? ''
      const accountId = ctx.oidc.session?.accountId
      if (accountId === undefined) return undefined
      const existing = ctx.oidc.session?.grantIdFor(clientId)
      if (existing !== undefined) return await ctx.oidc.provider.Grant.find(existing)
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId })
      grant.addOIDCScope('openid profile roles offline_access')
      await grant.save()
      return grant
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token')
  })

  const callback = provider.callback()
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]{1,64})(\/login)?$/.exec((req.url ?? '').split('?')[0])
    if (match === null) { callback(req, res); return }
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res)
        if (req.method === 'GET' && match[2] === undefined) {
          send(res, 200, devLoginPage(details.uid, undefined, people.size === 0))
          return
        }
        if (req.method !== 'POST' || match[2] === undefined) { send(res, 405, devMessagePage('Method not allowed')); return }
        const form = await readForm(req)
        const username = form.get('username') ?? ''
        const person = people.get(username)
        if (person === undefined || !sameSecret(form.get('password') ?? '', person.password)) {
          send(res, 401, devLoginPage(details.uid, 'Sai tên đăng nhập hoặc mật khẩu (Wrong username or password)', people.size === 0))
          return
        }
        await provider.interactionFinished(req, res, { login: { accountId: person.username } }, { mergeWithLastSubmission: false })
      } catch (err) {
        if (!res.headersSent) send(res, 400, devMessagePage(`Phiên đăng nhập không hợp lệ (Invalid sign-in session): ${(err as Error).message}`))
      }
    })()
  })

  return {
    issuer,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => { resolve() })
        server.closeAllConnections()
      })
    }
  }
}

/**
 * The people of the development provider: `admin` and `auditor`, each only when its password is given
 * (LIENTHONG_DEV_ADMIN_PASSWORD / LIENTHONG_DEV_AUDITOR_PASSWORD). There is no default password.
 */
export function devPeople (passwords: { admin?: string, auditor?: string }): DevPerson[] {
  const out: DevPerson[] = []
  if (passwords.admin !== undefined) out.push({ username: 'admin', name: 'Quản trị viên (dev)', roles: ['admin'], password: passwords.admin })
  if (passwords.auditor !== undefined) out.push({ username: 'auditor', name: 'Kiểm toán viên (dev)', roles: ['auditor'], password: passwords.auditor })
  return out
}
