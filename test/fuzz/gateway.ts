import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { SERVICES } from '../../src/catalog/services.js'
import type { DeclaredInstance } from '../../src/connectors/declarative.js'
import { startSimulators, type RunningSimulators } from '../../src/simulators/index.js'
import { build, simConnectors, type TestLike } from '../helper.js'
import type { FuzzTokens } from './requests.js'
import { withRouteList, type Route } from './routes.js'
import { hostileTokens } from './tokens.js'

const ALL_GRANTS = SERVICES.map((s) => s.id)
const RUNTIME = { retries: { attempts: 1, baseDelayMs: 10, maxDelayMs: 20 }, headersTimeoutMs: 2000, deadlineMs: 4000 }

/** The simulators behind every service: land for Hà Nội (01) and TP HCM (79), the portal for deliveries. */
function connectors (urls: RunningSimulators['urls']): DeclaredInstance[] {
  return [
    ...simConnectors(urls, RUNTIME),
    {
      id: 'dvcqg',
      type: 'dvcqg',
      services: ['dossier.sync', 'dossier.progress'],
      provinces: null,
      enabled: true,
      config: { baseUrl: urls.dvcqg, username: 'lienthong', password: 'lienthong-sim', dstcode: 'G22', agencyCode: '000.00.01.H22', runtime: RUNTIME }
    }
  ]
}

export interface FuzzGateway {
  app: FastifyInstance
  /** Every method and URL of the gateway, as registered. */
  routes: Route[]
  sims: RunningSimulators
  tokens: FuzzTokens
  /** Client secrets the fuzz knows of: none may ever appear in an answer. */
  secrets: string[]
}

/**
 * A gateway for the fuzz: the simulators, a signing key the test holds (to forge expired or mis-addressed tokens
 * with the real key), rate limits high enough and overload shedding off so that the fuzz reaches the code behind
 * them whatever else the machine runs, clients of every kind.
 */
export async function fuzzGateway (t: TestLike): Promise<FuzzGateway> {
  const sims = await startSimulators({ host: '127.0.0.1' })
  t.teardown(async () => { await sims.close() })
  const dir = await mkdtemp(join(tmpdir(), 'lienthong-fuzz-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  await writeFile(join(dir, 'jwt.pem'), privatePem, { mode: 0o600 })

  const { app, routes } = await withRouteList(async () => await build(t, {
    connectors: connectors(sims.urls),
    env: {
      JWT_PRIVATE_KEY_FILE: join(dir, 'jwt.pem'),
      RATE_LIMIT_PER_SECOND: '1000000',
      TOKEN_RATE_PER_MINUTE: '1000000',
      // the fuzz proves input handling; overload shedding (a fast 503 on a busy machine) would only hide it
      MAX_EVENT_LOOP_DELAY_MS: '0',
      DELIVERY_ORDER_WAIT_MS: '50',
      AUDIT_SPILL_DIR: join(dir, 'spill')
    }
  }))
  const secrets: string[] = []
  const client = async (id: string, roles: Array<'system' | 'admin' | 'auditor'>, grants = ALL_GRANTS): Promise<string> => {
    const created = await app.clients.create({ id, name: id, roles, grants, agencies: ['000.00.01.H22'] })
    secrets.push(created.secret)
    return `Bearer ${app.tokens.issue(created.client).accessToken}`
  }
  const byRole = {
    system: await client('fuzz-system', ['system']),
    admin: await client('fuzz-admin', ['admin']),
    auditor: await client('fuzz-auditor', ['auditor']),
    all: await client('fuzz-all', ['system', 'admin', 'auditor']),
    ungranted: await client('fuzz-ungranted', ['system'], [])
  }
  for (const id of ['fuzz-target-1', 'fuzz-target-2', 'fuzz-target-3']) await client(id, ['system'])
  await client('fuzz-disabled', ['system'])
  await app.clients.patch('fuzz-disabled', { enabled: false })

  const jwks = app.tokens.jwks().keys[0]
  const { refused, odd } = hostileTokens(
    { privatePem, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), kid: jwks.kid, issuer: app.config.jwt.issuer, audience: app.config.jwt.audience },
    { unknown: 'fuzz-nobody', disabled: 'fuzz-disabled', system: 'fuzz-system' })
  // A token that was valid, then revoked by its jti.
  const revokedToken = app.tokens.issue((await app.clients.get('fuzz-system'))!).accessToken
  const { jti } = JSON.parse(Buffer.from(revokedToken.split('.')[1], 'base64url').toString()) as { jti: string }
  await app.revocations.revoke(jti, new Date(Date.now() + 600_000), 'fuzz-system', 'fuzz')
  refused.push(`Bearer ${revokedToken}`)
  return { app, routes: routes(), sims, tokens: { byRole, refused, odd }, secrets }
}
