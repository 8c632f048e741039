import type { Env, Read } from './env.js'

/** The settings of the web console (docs/security.md § The web console), as declared to env-schema. */
export const CONSOLE_ENV = {
  CONSOLE_PUBLIC_URL: { type: 'string' },
  CONSOLE_OIDC_ISSUER: { type: 'string' },
  CONSOLE_OIDC_CLIENT_ID: { type: 'string', default: 'lienthong-console' },
  CONSOLE_OIDC_CLIENT_SECRET: { type: 'string' },
  CONSOLE_OIDC_SCOPES: { type: 'string', default: 'openid profile roles' },
  CONSOLE_ROLE_CLAIM: { type: 'string', default: 'roles' },
  CONSOLE_ROLE_MAP: { type: 'string', default: 'admin=admin,auditor=auditor' },
  CONSOLE_SESSION_IDLE_SECONDS: { type: 'integer', minimum: 60, default: 1800 },
  CONSOLE_SESSION_MAX_SECONDS: { type: 'integer', minimum: 300, default: 43200 },
  CONSOLE_DEV_IDP: { type: 'string', enum: ['auto', 'on', 'off'], default: 'auto' },
  LIENTHONG_DEV_ADMIN_PASSWORD: { type: 'string' },
  LIENTHONG_DEV_AUDITOR_PASSWORD: { type: 'string' }
} as const

export interface ConsoleConfig {
  /** The origin people reach the gateway at (redirect and post-logout addresses, Origin checks, Secure cookies). */
  publicUrl: string
  /** OpenID Connect provider of the people (admins, auditors); none = nobody can sign in to the console. */
  oidc?: { issuer: string, clientId: string, clientSecret?: string, scopes: string }
  /** Claim holding the person's roles (a dotted path, e.g. `realm_access.roles` for Keycloak), and its values → roles. */
  roleClaim: string
  roleMap: Record<string, Array<'admin' | 'auditor'>>
  sessionIdleSeconds: number
  sessionMaxSeconds: number
  /** The development identity provider of the embedded default (src/dev/identity-provider.ts). */
  devIdp: 'auto' | 'on' | 'off'
  devPasswords: { admin?: string, auditor?: string }
}

/** `CONSOLE_ROLE_MAP`: `idpValue=role[,idpValue=role…]`, roles admin or auditor. */
export function parseRoleMap (text: string): ConsoleConfig['roleMap'] {
  const map: ConsoleConfig['roleMap'] = {}
  for (const pair of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [value, role] = pair.split('=').map((x) => x.trim())
    if (value === undefined || value === '' || (role !== 'admin' && role !== 'auditor')) {
      throw new Error(`CONSOLE_ROLE_MAP: "${pair}" is not value=admin or value=auditor`)
    }
    map[value] = [...(map[value] ?? []), role]
  }
  return map
}

export function consoleConfig (e: Env, str: Read): ConsoleConfig {
  return {
    publicUrl: (str('CONSOLE_PUBLIC_URL') ?? `http://${e.HOST === '0.0.0.0' || e.HOST === '::' ? '127.0.0.1' : e.HOST as string}:${e.PORT as number}`).replace(/\/+$/, ''),
    oidc: str('CONSOLE_OIDC_ISSUER') !== undefined
      ? { issuer: str('CONSOLE_OIDC_ISSUER') as string, clientId: e.CONSOLE_OIDC_CLIENT_ID as string, clientSecret: str('CONSOLE_OIDC_CLIENT_SECRET'), scopes: e.CONSOLE_OIDC_SCOPES as string }
      : undefined,
    roleClaim: e.CONSOLE_ROLE_CLAIM as string,
    roleMap: parseRoleMap(e.CONSOLE_ROLE_MAP as string),
    sessionIdleSeconds: e.CONSOLE_SESSION_IDLE_SECONDS as number,
    sessionMaxSeconds: e.CONSOLE_SESSION_MAX_SECONDS as number,
    devIdp: e.CONSOLE_DEV_IDP as ConsoleConfig['devIdp'],
    devPasswords: { admin: str('LIENTHONG_DEV_ADMIN_PASSWORD'), auditor: str('LIENTHONG_DEV_AUDITOR_PASSWORD') }
  }
}
