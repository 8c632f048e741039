import { randomBytes } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import pg from 'pg'
import { loadConfig, type Config } from '../src/config.js'
import { buildApp, type BuildOptions } from '../src/app.js'
import type { Role } from '../src/auth/clients.js'
import type { Grant } from '../src/auth/grants.js'
import type { DeclaredInstance } from '../src/connectors/declarative.js'
import { checkResponses, type ConformanceOptions } from './conformance.js'

/** tap's Test, as far as these helpers use it. */
export interface TestLike {
  teardown (fn: () => unknown): void
  /** An assertion that fails (tap's t.fail): build() reports responses that do not conform to the OpenAPI document with it. */
  fail?: (message: string) => unknown
}

export const ADMIN = { id: 'test-admin', secret: 'test-admin-secret-0123456789' }

function sharedUrls (): { redisUrl: string, databaseUrl: string } {
  const redisUrl = process.env.REDIS_URL
  const databaseUrl = process.env.DATABASE_URL
  if (redisUrl === undefined || databaseUrl === undefined) {
    throw new Error('REDIS_URL and DATABASE_URL are not set: run the suite with `npm test`, which starts them')
  }
  return { redisUrl, databaseUrl }
}

/** A fresh database in the shared test cluster, dropped when the test ends. */
export async function testDatabase (t: TestLike): Promise<string> {
  const { databaseUrl } = sharedUrls()
  const name = `t_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: databaseUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  t.teardown(async () => {
    const c = new pg.Client({ connectionString: databaseUrl })
    await c.connect()
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await c.end()
  })
  const url = new URL(databaseUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/** A config for one test: its own database, its own Redis key prefix, quiet logs, cheap secret hashing. */
export async function testConfig (t: TestLike, env: Record<string, string> = {}): Promise<Config> {
  const { redisUrl } = sharedUrls()
  return loadConfig({
    REDIS_URL: redisUrl,
    DATABASE_URL: await testDatabase(t),
    QUEUE_PREFIX: `test-${randomBytes(6).toString('hex')}`,
    LOG_LEVEL: 'silent',
    SECRET_HASH_COST: '1024',
    LIENTHONG_ADMIN_ID: ADMIN.id,
    LIENTHONG_ADMIN_SECRET: ADMIN.secret,
    CONNECTORS_FILE: 'test/fixtures/no-connectors.json',
    MAX_EVENT_LOOP_DELAY_MS: '0',
    ...env
  })
}

/**
 * Builds the gateway for one test; closed at teardown. Every response it gives is checked against its own OpenAPI
 * document (test/conformance.ts): a status, content type or body the document does not describe fails the test.
 */
export async function build (t: TestLike, opts: BuildOptions & { env?: Record<string, string>, config?: Config, conformance?: false | ConformanceOptions } = {}): Promise<FastifyInstance> {
  const config = opts.config ?? await testConfig(t, opts.env)
  const app = await buildApp(config, opts)
  t.teardown(async () => { await app.close() })
  if (opts.conformance !== false && opts.http !== false && t.fail !== undefined) {
    const fail = t.fail.bind(t)
    checkResponses(app, (message) => { fail(message) }, opts.conformance)
  }
  await app.ready()
  return app
}

/** A token for a new client with these roles, grants and (for dossier calls) agencies. */
export async function tokenFor (app: FastifyInstance, roles: Role[], grants: Grant[] = [], agencies: string[] = []): Promise<string> {
  const id = `client-${randomBytes(4).toString('hex')}`
  const { secret } = await app.clients.create({ id, name: id, roles, grants, agencies })
  const res = await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: id, client_secret: secret } })
  if (res.statusCode !== 200) throw new Error(`token request failed: ${res.statusCode} ${res.body}`)
  return (res.json() as { access_token: string }).access_token
}

/** A real HTTP upstream on a free loopback port; closed at teardown. */
export async function upstream (t: TestLike, define: (app: FastifyInstance) => void): Promise<string> {
  const app = Fastify({ forceCloseConnections: true })
  define(app)
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(async () => { await app.close() })
  return url
}

/** rest-json instances pointed at the simulators (`startSimulators().urls`), one retry and short timeouts by default. */
export function simConnectors (urls: Record<string, string>,
  runtime: Record<string, unknown> = { retries: { attempts: 1, baseDelayMs: 5, maxDelayMs: 10 }, headersTimeoutMs: 1000, deadlineMs: 3000 }): DeclaredInstance[] {
  const rest = (id: string, service: string, url: string, path: string, provinces: string[] | null = null): DeclaredInstance =>
    ({ id, type: 'rest-json', services: [service], provinces, enabled: true, config: { baseUrl: url, operations: { [service]: { path } }, runtime } })
  return [
    rest('population', 'citizen.lookup', urls.citizen, '/api/citizens/lookup'),
    rest('land-01', 'land.parcel.lookup', urls['land-01'], '/api/parcels/lookup', ['01']),
    rest('land-79', 'land.parcel.lookup', urls['land-79'], '/api/parcels/lookup', ['79']),
    rest('tax', 'tax.taxpayer.lookup', urls.tax, '/api/taxpayers/lookup'),
    rest('insurance', 'insurance.coverage.lookup', urls.insurance, '/api/insurance/lookup')
  ]
}
