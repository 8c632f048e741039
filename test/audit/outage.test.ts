import t from 'tap'
import { once } from 'node:events'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { build, testConfig, tokenFor, upstream, type TestLike } from '../helper.js'
import { auditRows, lookup } from './helper.js'
import { verifyChain } from '../../src/audit/verify.js'
import type { Config } from '../../src/config.js'

/** A TCP gate in front of the shared PostgreSQL: `cut()` kills every connection and refuses new ones. */
async function dbGate (t: TestLike): Promise<{ port: number, cut: () => void, restore: () => void }> {
  const target = new URL(process.env.DATABASE_URL as string)
  const sockets = new Set<Socket>()
  let open = true
  const server: Server = createServer((client) => {
    if (!open) { client.destroy(); return }
    const db = connect(Number(target.port), target.hostname)
    for (const s of [client, db]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => {}) }
    client.pipe(db).pipe(client)
    client.on('close', () => db.destroy())
    db.on('close', () => client.destroy())
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => { for (const s of sockets) s.destroy(); server.close() })
  return {
    port: (server.address() as { port: number }).port,
    cut: () => { open = false; for (const s of sockets) s.destroy() },
    restore: () => { open = true }
  }
}

/** The test's config with every database connection of the app going through the gate. */
async function gatedConfig (t: TestLike, port: number, env: Record<string, string>): Promise<Config> {
  const config = await testConfig(t, { AUDIT_KEY: 'outage-test-key-0123456789', CLIENT_CACHE_TTL_MS: '600000', WORKERS: 'false', ...env })
  const url = new URL(config.databaseUrl as string)
  url.port = String(port)
  return { ...config, databaseUrl: url.toString() }
}

/** Waits until the writer has seen the database fail (a state change, not a duration). */
async function untilDown (app: FastifyInstance): Promise<void> {
  while (!app.auditTrail.writer.stats.down) await sleep(10)
}

const CITIZEN = { personalId: '079203001234', fullName: 'Nguyễn Văn A', dateOfBirth: '2003-01-01', gender: 'male', nationality: 'VN', permanentAddress: { provinceCode: '79', communeCode: '26734', detail: '1 Lê Lợi' }, status: 'alive' }

async function gatewayOver (t: TestLike, config: Config, held?: { arrived: () => void, release: Promise<void> }): Promise<{ app: FastifyInstance, token: string, calls: () => number }> {
  let calls = 0
  const gate: { hold?: typeof held } = {} // the upstream holds calls only after the warm-up
  const url = await upstream(t, (up) => up.post('/lookup', async () => {
    calls++
    if (gate.hold !== undefined) { gate.hold.arrived(); await gate.hold.release }
    return CITIZEN
  }))
  const app = await build(t, {
    config,
    connectors: [{ id: 'population', type: 'rest-json', services: ['citizen.lookup'], provinces: null, enabled: true, config: { baseUrl: url, operations: { 'citizen.lookup': { path: '/lookup' } } } }]
  })
  const token = await tokenFor(app, ['system'], ['citizen.lookup'])
  // Warm-up (not held): the client registry is cached in memory, as it is after any first request.
  await lookup(app, token, 'citizen.lookup', { personalId: '079203001234' }, { 'x-request-id': 'warm-up' })
  gate.hold = held
  await app.auditTrail.writer.flush()
  return { app, token, calls: () => calls - 1 }
}

t.test('with the database gone, lookups go on and are audited once it returns; nothing lost, nothing doubled', async (t) => {
  const gate = await dbGate(t)
  const { app, token } = await gatewayOver(t, await gatedConfig(t, gate.port, {}))
  for (let i = 0; i < 2; i++) t.equal((await lookup(app, token, 'citizen.lookup', { personalId: '079203001234' }, { 'x-request-id': `before-${i}` })).statusCode, 200)
  await app.auditTrail.writer.flush()

  gate.cut()
  for (let i = 0; i < 20; i++) t.equal((await lookup(app, token, 'citizen.lookup', { personalId: '079203001234' }, { 'x-request-id': `during-${i}` })).statusCode, 200)
  await untilDown(app)
  t.equal(app.auditTrail.writer.depth, 20, 'the events of the outage are kept')
  t.ok(app.auditTrail.writer.accepting())

  gate.restore()
  await app.auditTrail.writer.flush()
  const rows = await auditRows(app)
  const ids = rows.map((r) => r.request_id as string)
  t.equal(rows.length, 23, 'warm-up, 2 before, 20 during')
  t.equal(new Set(ids).size, 23, 'each lookup exactly once')
  t.ok(ids.slice(3).every((id, i) => id === `during-${i}`), 'in the order they happened')
  t.match(await verifyChain(app.db), { ok: true, checked: 23 })
})

t.test('when the buffer fills, lookups fail closed: nothing is asked upstream, nothing answered unaudited', async (t) => {
  const gate = await dbGate(t)
  let arrived = 0
  let allArrived: () => void = () => {}
  const everyone = new Promise<void>((resolve) => { allArrived = resolve })
  let release: () => void = () => {}
  const released = new Promise<void>((resolve) => { release = resolve })
  const hold = { arrived: () => { if (++arrived === 7) allArrived() }, release: released }
  const { app, token, calls } = await gatewayOver(t, await gatedConfig(t, gate.port, { AUDIT_BUFFER_MAX: '5', AUDIT_BUFFER_HEADROOM: '2' }), hold)

  gate.cut()
  // Seven lookups pass the check at depth 0 and wait upstream; their seven events fill the buffer and its headroom.
  const first = Array.from({ length: 7 }, async (_, i) => await lookup(app, token, 'citizen.lookup', { personalId: '079203001234' }, { 'x-request-id': `held-${i}` }))
  await everyone
  release()
  const held = await Promise.all(first)
  t.same(held.map((r) => r.statusCode), [200, 200, 200, 200, 200, 200, 200])
  t.notOk(app.auditTrail.writer.accepting(), 'the buffer is full')
  const notReady = await app.inject('/health/ready')
  t.equal(notReady.statusCode, 503)
  t.match(notReady.json(), { status: 'not-ready', checks: { audit: 'down' }, auditBuffered: 7 }, 'readiness says so: send lookups elsewhere')

  const refused = await lookup(app, token, 'citizen.lookup', { personalId: '079203001234' }, { 'x-request-id': 'refused-1' })
  t.equal(refused.statusCode, 503)
  t.match(refused.json(), { code: 'SERVICE_UNAVAILABLE', status: 503 })
  t.equal(refused.headers['retry-after'], '2', 'DEPENDENCY_RETRY_AFTER_SECONDS')
  t.equal(calls(), 7, 'a refused lookup never reaches the national system')

  gate.restore()
  await app.auditTrail.writer.flush()
  t.ok(app.auditTrail.writer.accepting(), 'accepting again once written')
  t.match((await app.inject('/health/ready')).json(), { status: 'ready', checks: { audit: 'up' }, auditBuffered: 0 })
  t.equal((await lookup(app, token, 'citizen.lookup', { personalId: '079203001234' }, { 'x-request-id': 'after-1' })).statusCode, 200)
  const rows = await auditRows(app)
  t.same(rows.map((r) => r.request_id).sort(), [...held.map((_, i) => `held-${i}`), 'after-1', 'warm-up'].sort(), 'every answered lookup is in the trail')
})

t.test('past the headroom, an answer already fetched is withheld (503) rather than given unaudited', async (t) => {
  const gate = await dbGate(t)
  let arrived = 0
  let allArrived: () => void = () => {}
  const everyone = new Promise<void>((resolve) => { allArrived = resolve })
  let release: () => void = () => {}
  const hold = { arrived: () => { if (++arrived === 6) allArrived() }, release: new Promise<void>((resolve) => { release = resolve }) }
  const { app, token } = await gatewayOver(t, await gatedConfig(t, gate.port, { AUDIT_BUFFER_MAX: '3', AUDIT_BUFFER_HEADROOM: '1' }), hold)
  gate.cut()
  const all = Array.from({ length: 6 }, async (_, i) => await lookup(app, token, 'citizen.lookup', { personalId: '079203001234' }, { 'x-request-id': `burst-${i}` }))
  await everyone
  release()
  const res = await Promise.all(all)
  const ok = res.filter((r) => r.statusCode === 200)
  t.equal(ok.length, 4, 'max + headroom answered')
  t.ok(res.filter((r) => r.statusCode === 503).every((r) => !r.body.includes('Nguyễn')), 'the withheld answers carry no data')
  gate.restore()
  const rows = await auditRows(app)
  t.same(rows.map((r) => r.request_id).sort(), [...ok.map((r) => r.headers['x-request-id']), 'warm-up'].sort(), 'exactly the answered ones are recorded')
})

t.test('a shutdown without database keeps the events on disk; the next start writes them', async (t) => {
  const gate = await dbGate(t)
  const dir = await mkdtemp(join(tmpdir(), 'audit-spill-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const config = await gatedConfig(t, gate.port, { AUDIT_SPILL_DIR: dir, SHUTDOWN_TIMEOUT_MS: '200' })
  const first = await gatewayOver(t, config)
  gate.cut()
  for (let i = 0; i < 4; i++) await lookup(first.app, first.token, 'citizen.lookup', { personalId: '079203001234' }, { 'x-request-id': `spilled-${i}` })
  await first.app.close()
  const files = await readdir(dir)
  t.equal(files.length, 1, 'one spill file')

  gate.restore()
  const second = await gatewayOver(t, config)
  t.same(await readdir(dir), [], 'read back and removed')
  const rows = await auditRows(second.app)
  const spilled = rows.filter((r) => String(r.request_id).startsWith('spilled-')).map((r) => r.request_id)
  t.same(spilled, ['spilled-0', 'spilled-1', 'spilled-2', 'spilled-3'], 'every event once, in order')
  t.notOk(JSON.stringify(rows).includes('079203001234'))
  t.match(await verifyChain(second.app.db), { ok: true })
})
