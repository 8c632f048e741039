import t from 'tap'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { build, testDatabase, tokenFor } from '../helper.js'
import { AGENCIES, dossier, FAST_ENV, GRANTS, portalInstance, post, startPortal, statusCounts, waitFor } from '../deliveries/helper.js'
import { runToExit } from '../process/helper.js'

// Migrations by the schema owner (`npm run migrate`, a real process), the gateway and its worker as a login that is
// only a member of lienthong_runtime (migration 040): every path works, and no DDL is possible for it.
t.setTimeout(240_000)

async function sql (url: string, text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try { return await c.query(text) } finally { await c.end() }
}

t.test('migrate as the owner, then run as lienthong_runtime with MIGRATIONS=off', async (t) => {
  const ownerUrl = await testDatabase(t)
  const check = await runToExit('migrate', { DATABASE_URL: ownerUrl }, 60_000, ['--check'])
  t.equal(check.code, 3, '--check on a new database: pending, exit 3')
  t.match(check.stderr, /pending: 001_identity, .*040_runtime_role/)
  const first = await runToExit('migrate', { DATABASE_URL: ownerUrl })
  t.equal(first.code, 0)
  t.match(first.stderr, /applied: 001_identity, .*040_runtime_role/)
  const again = await runToExit('migrate', { DATABASE_URL: ownerUrl })
  t.match(again.stderr, /schema already current; nothing applied/)
  t.equal((await runToExit('migrate', { DATABASE_URL: ownerUrl }, 60_000, ['--check'])).code, 0, '--check: current')

  const login = `t_app_${randomBytes(4).toString('hex')}`
  await sql(ownerUrl, `CREATE ROLE ${login} LOGIN IN ROLE lienthong_runtime`)
  t.teardown(async () => { await sql(process.env.DATABASE_URL as string, `DROP ROLE IF EXISTS ${login}`).catch(() => {}) })
  const url = new URL(ownerUrl)
  url.username = login
  const runtimeUrl = url.toString()

  const portal = await startPortal(t)
  const app = await build(t, {
    connectors: [portalInstance(portal.url)],
    env: { ...FAST_ENV, DATABASE_URL: runtimeUrl, MIGRATIONS: 'off', AUDIT_KEY: 'least-privilege-audit-key-0123456789', SECRETS_KEY: `k1:${randomBytes(32).toString('base64')}` }
  })
  t.equal((await app.inject({ url: '/health/ready' })).statusCode, 200, 'ready as the runtime login')
  const system = await tokenFor(app, ['system'], GRANTS, AGENCIES)
  for (let n = 1; n <= 3; n++) t.equal((await post(app, system, '/v1/dossiers', dossier(n))).statusCode, 202)
  await waitFor(async () => (await statusCounts(app)).delivered === 3, 20_000, 'deliveries')
  const admin = await tokenFor(app, ['admin'])
  const instance = await app.inject({ url: '/v1/admin/connectors/dvcqg-test', headers: { authorization: `Bearer ${admin}` } })
  t.equal(instance.statusCode, 200, 'admin reads a connector instance')
  const auditor = await tokenFor(app, ['auditor'])
  await app.auditTrail.writer.flush()
  const events = await app.inject({ url: '/v1/audit/events?limit=5', headers: { authorization: `Bearer ${auditor}` } })
  t.equal(events.statusCode, 200)
  t.ok(events.json().items.length > 0, 'audit events written and read through the audit roles')
  const verify = await app.inject({ url: '/v1/audit/verify', headers: { authorization: `Bearer ${auditor}` } })
  t.equal(verify.json().ok, true, 'the chain verifies')

  await t.rejects(sql(runtimeUrl, 'CREATE TABLE intruder (x int)'), /permission denied/, 'no CREATE TABLE')
  await t.rejects(sql(runtimeUrl, 'ALTER TABLE clients ADD COLUMN x int'), /must be owner/, 'no ALTER TABLE')
  await t.rejects(sql(runtimeUrl, 'DROP TABLE deliveries'), /must be owner/, 'no DROP TABLE')
  await t.rejects(sql(runtimeUrl, 'DELETE FROM audit_events'), /permission denied/, 'the trail is out of reach but through the audit roles')
  await t.rejects(sql(runtimeUrl, "INSERT INTO schema_migrations VALUES ('999_x')"), /permission denied/, 'schema_migrations read-only')
})

t.test('MIGRATIONS=auto against a current schema runs no DDL: the runtime login (made by `migrate` with RUNTIME_LOGIN) starts too', async (t) => {
  const ownerUrl = await testDatabase(t)
  const login = `t_app_${randomBytes(4).toString('hex')}`
  const migrated = await runToExit('migrate', { DATABASE_URL: ownerUrl, RUNTIME_LOGIN: login, RUNTIME_PASSWORD: 'pilot-password' })
  t.equal(migrated.code, 0)
  t.match(migrated.stderr, `login ${login}: created (member of lienthong_runtime)`, 'the migrate command creates the runtime login')
  t.teardown(async () => { await sql(process.env.DATABASE_URL as string, `DROP ROLE IF EXISTS ${login}`).catch(() => {}) })
  const url = new URL(ownerUrl)
  url.username = login
  const app = await build(t, { env: { DATABASE_URL: url.toString(), AUDIT_KEY: 'least-privilege-audit-key-0123456789' } })
  t.equal((await app.inject({ url: '/health/ready' })).statusCode, 200)
})
