import t from 'tap'
import { createServer } from 'node:net'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { testDatabase } from '../helper.js'
import { runToExit, type Ran } from './helper.js'

// Issue 15 item 9: a start that fails exits non-zero and says why; it never exits 0 nor stays up without listening.
// Each case runs the real process (dist/src/server.js or worker.js) and must end by itself before the deadline.
t.setTimeout(300_000)

const REDIS_URL = process.env.REDIS_URL ?? ''

function failed (t: Tap.Test, ran: Ran, reason: RegExp): void {
  t.equal(ran.signal, null, 'ended by itself, not killed at the deadline')
  t.equal(ran.code, 1, 'exit code 1')
  t.match(ran.stderr, reason, 'the reason is on stderr')
}

t.test('gateway: a connectors file with an unset variable', async (t) => {
  const ran = await runToExit('server', {
    REDIS_URL, DATABASE_URL: await testDatabase(t), PORT: '0', SIMULATORS: 'off', CONNECTORS_FILE: 'config/connectors.json'
  })
  failed(t, ran, /failed to start: .*the variable SIM_CITIZEN_URL is not set/)
})

t.test('gateway and worker: MIGRATIONS=off against a schema behind the release', async (t) => {
  const env = { REDIS_URL, DATABASE_URL: await testDatabase(t), PORT: '0', MIGRATIONS: 'off', CONNECTORS_FILE: 'config/connectors.production.json' }
  failed(t, await runToExit('server', env), /failed to start: the database schema is behind this release \(pending: 001_identity, .*040_runtime_role/)
  failed(t, await runToExit('worker', env), /failed to start: the database schema is behind this release/)
})

t.test('gateway: a migration the database refuses (a login without the owner\'s rights)', async (t) => {
  const databaseUrl = await testDatabase(t)
  const role = `t_nobody_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: databaseUrl })
  await admin.connect()
  await admin.query(`CREATE ROLE ${role} LOGIN`)
  await admin.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC')
  await admin.end()
  t.teardown(async () => {
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL })
    await c.connect()
    await c.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {})
    await c.end()
  })
  const url = new URL(databaseUrl)
  url.username = role
  const ran = await runToExit('server', { REDIS_URL, DATABASE_URL: url.toString(), PORT: '0', CONNECTORS_FILE: 'config/connectors.production.json' })
  failed(t, ran, /failed to start: .*permission denied/)
})

t.test('gateway: the port is taken', async (t) => {
  const blocker = createServer()
  blocker.listen(0, '127.0.0.1')
  await once(blocker, 'listening')
  t.teardown(() => { blocker.close() })
  const { port } = blocker.address() as { port: number }
  const ran = await runToExit('server', {
    REDIS_URL, DATABASE_URL: await testDatabase(t), HOST: '127.0.0.1', PORT: String(port), CONNECTORS_FILE: 'config/connectors.production.json'
  })
  failed(t, ran, /failed to start: .*EADDRINUSE/)
})

t.test('gateway and worker: NODE_ENV=production without the shared keys', async (t) => {
  const gateway = await runToExit('server', { NODE_ENV: 'production', PORT: '0' })
  failed(t, gateway, /failed to start: NODE_ENV=production, but: REDIS_URL or REDIS_SENTINELS .*; DATABASE_URL .*; SECRETS_KEY must be set.*; AUDIT_KEY must be set/)
  const worker = await runToExit('worker', { NODE_ENV: 'production', REDIS_URL, DATABASE_URL: await testDatabase(t), SECRETS_KEY: `k1:${randomBytes(32).toString('base64')}` })
  failed(t, worker, /failed to start: NODE_ENV=production, but: AUDIT_KEY must be set/)
  t.notMatch(worker.stderr, /SECRETS_KEY must/, 'only what is missing is named')
})

t.test('gateway: a setting of the wrong type', async (t) => {
  failed(t, await runToExit('server', { PORT: 'eighty' }), /failed to start: configuration: .*PORT/)
})

t.test('worker: Redis does not answer', async (t) => {
  const closed = createServer()
  closed.listen(0, '127.0.0.1')
  await once(closed, 'listening')
  const { port } = closed.address() as { port: number }
  closed.close()
  const ran = await runToExit('worker', { REDIS_URL: `redis://127.0.0.1:${port}`, DATABASE_URL: await testDatabase(t), CONNECTORS_FILE: 'config/connectors.production.json' })
  failed(t, ran, /failed to start: Redis \(redis:\/\/127\.0\.0\.1:\d+\) did not answer within 8 s/)
})
