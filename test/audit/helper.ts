import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { startSimulators, sampleIds } from '../../src/simulators/index.js'
import { build, simConnectors, tokenFor, type TestLike } from '../helper.js'

export const LOOKUPS = ['citizen.lookup', 'land.parcel.lookup', 'tax.taxpayer.lookup', 'insurance.coverage.lookup']

/** Log lines written by the app (pino JSON), kept in memory. */
export function logCapture (): { stream: Writable, text: () => string } {
  const chunks: string[] = []
  const stream = new Writable({ write (chunk, _enc, cb) { chunks.push(String(chunk)); cb() } })
  return { stream, text: () => chunks.join('') }
}

export interface Setup {
  app: FastifyInstance
  system: string
  auditor: string
  sims: Awaited<ReturnType<typeof startSimulators>>
  logs: { text: () => string }
}

/** The gateway over the simulators, with a `system` client granted every lookup and an `auditor` client. */
export async function setup (t: TestLike, env: Record<string, string> = {}): Promise<Setup> {
  const sims = await startSimulators({ host: '127.0.0.1' })
  t.teardown(async () => { await sims.close() })
  const logs = logCapture()
  const app = await build(t, { connectors: simConnectors(sims.urls), logStream: logs.stream, env: { LOG_LEVEL: 'debug', AUDIT_KEY: 'test-audit-key-0123456789abcdef', ...env } })
  const system = await tokenFor(app, ['system'], LOOKUPS)
  const auditor = await tokenFor(app, ['auditor'])
  return { app, system, auditor, sims, logs }
}

export async function lookup (app: FastifyInstance, token: string, service: string, payload: unknown, headers: Record<string, string> = {}): Promise<Awaited<ReturnType<FastifyInstance['inject']>>> {
  return await app.inject({
    method: 'POST',
    url: `/v1/lookups/${service}`,
    headers: { authorization: `Bearer ${token}`, 'x-purpose': '1.000894', ...headers },
    payload: payload as object
  })
}

/** Every stored event, in chain order, read directly from the table (the test's superuser connection). */
export async function auditRows (app: FastifyInstance): Promise<Array<Record<string, unknown>>> {
  await app.auditTrail.writer.flush()
  return (await app.db.query('SELECT * FROM audit_events ORDER BY seq')).rows
}

/** The whole audit table as text (every column of every row, chain anchors included). */
export async function auditTableText (app: FastifyInstance): Promise<string> {
  await app.auditTrail.writer.flush()
  const events = await app.db.query('SELECT e::text AS t FROM audit_events e')
  const anchors = await app.db.query('SELECT a::text AS t FROM audit_chain_anchors a')
  return [...events.rows, ...anchors.rows].map((r: { t: string }) => r.t).join('\n')
}

/** Every identifier the samples use, in clear. */
export function sampleIdentifiers (): string[] {
  const s = sampleIds()
  return [...s['citizen.lookup'], ...s['tax.taxpayer.lookup'], ...s['insurance.coverage.lookup']]
    .flatMap((b) => Object.values(b))
}

export const get = async (app: FastifyInstance, token: string, url: string): Promise<Awaited<ReturnType<FastifyInstance['inject']>>> =>
  await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })

/** Runs SQL as the superuser with the triggers off (session_replication_role): the tamper scenario. */
export async function tamper (app: FastifyInstance, sql: string, params: unknown[] = []): Promise<void> {
  const c = await app.db.connect()
  try {
    await c.query('SET session_replication_role = replica')
    await c.query(sql, params)
    await c.query('SET session_replication_role = origin')
  } finally {
    c.release(true)
  }
}
