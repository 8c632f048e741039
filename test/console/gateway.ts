import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { isPortOpen } from '../../src/dev/free-port.js'
import { startDevIdentityProvider, type DevPerson } from '../../src/dev/identity-provider.js'
import { startSimulators, type RunningSimulators } from '../../src/simulators/index.js'
import { simConnectors, testConfig, type TestLike } from '../helper.js'
import { FAST_ENV, portalInstance } from '../deliveries/helper.js'

export const PEOPLE: DevPerson[] = [
  { username: 'admin', name: 'Nguyễn Quản Trị', roles: ['admin'], password: `admin-${randomBytes(6).toString('hex')}` },
  { username: 'auditor', name: 'Trần Kiểm Toán', roles: ['auditor'], password: `auditor-${randomBytes(6).toString('hex')}` }
]

/**
 * A free port outside the kernel's ephemeral range: the gateway's address must be known before it listens (the
 * identity provider's redirect address), and an ephemeral port can be taken meanwhile by any outgoing connection.
 */
async function quietPort (): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 12_000 + Math.floor(Math.random() * 18_000)
    if (!await isPortOpen(port, 200)) return port
  }
  throw new Error('no free port found')
}

export interface ConsoleGateway {
  app: FastifyInstance
  url: string
  idp: string
  sims: RunningSimulators
  /** Every log line the gateway wrote during the test. */
  logs: string[]
}

/**
 * The real gateway listening on a free port, with the simulators, a portal for deliveries and the development
 * identity provider on free ports, its logs captured.
 */
export async function consoleGateway (t: TestLike, opts: { accessTokenTtl?: number } = {}): Promise<ConsoleGateway> {
  const sims = await startSimulators({ host: '127.0.0.1' })
  t.teardown(async () => { await sims.close() })
  const port = await quietPort()
  const url = `http://127.0.0.1:${port}`
  const clientSecret = randomBytes(24).toString('base64url')
  const idp = await startDevIdentityProvider({ port: 0, consoleUrl: url, clientId: 'lienthong-console', clientSecret, people: PEOPLE, accessTokenTtl: opts.accessTokenTtl })
  t.teardown(async () => { await idp.close() })
  const logs: string[] = []
  const logStream = new Writable({ write (chunk: Buffer, _enc, done) { logs.push(chunk.toString('utf8')); done() } })
  const config = await testConfig(t, {
    ...FAST_ENV,
    PORT: String(port),
    LOG_LEVEL: 'info',
    CONSOLE_PUBLIC_URL: url,
    CONSOLE_OIDC_ISSUER: idp.issuer,
    CONSOLE_OIDC_CLIENT_SECRET: clientSecret,
    HEALTH_PROBE_INTERVAL_MS: '0'
  })
  const connectors = [
    ...simConnectors(sims.urls),
    portalInstance(sims.urls.dvcqg, { delivery: { attempts: 1, baseDelayMs: 10, maxDelayMs: 50 } })
  ]
  const app = await buildApp(config, { connectors, workers: true, logStream: logStream as never })
  t.teardown(async () => { await app.close() })
  await app.listen({ port, host: '127.0.0.1' })
  return { app, url, idp: idp.issuer, sims, logs }
}
