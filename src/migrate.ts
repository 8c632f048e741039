import pg from 'pg'
import { loadConfig, type Config } from './config.js'
import { migrate, pendingMigrations } from './db/migrate.js'
import { failureReason, sayer } from './lifecycle.js'

const say = sayer('lienthong-migrate')

/**
 * `npm run migrate` / `node dist/src/migrate.js` (the image's migrations Job): applies the pending migrations as
 * the schema owner, through DATABASE_DIRECT_URL when set (session advisory lock), else DATABASE_URL. `--check`
 * changes nothing and exits 3 when migrations are pending. Safe while the previous release serves: migrations
 * only expand the schema; what a release stops using is removed by a later release's migration (docs/upgrades).
 */
async function main (): Promise<number> {
  const check = process.argv.includes('--check')
  let url: string | undefined
  let login: Config['runtimeLogin']
  try {
    const config = loadConfig()
    login = config.runtimeLogin
    url = config.databaseDirectUrl ?? config.databaseUrl
  } catch (err) {
    say(`failed: configuration: ${failureReason(err)}`)
    return 1
  }
  if (url === undefined) {
    say('failed: DATABASE_URL (or DATABASE_DIRECT_URL) must name the database, as a role that owns its schema')
    return 1
  }
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 10_000, application_name: 'lienthong-migrate' })
  pool.on('error', () => {})
  try {
    if (check) {
      const pending = await pendingMigrations(pool)
      say(pending.length === 0 ? 'schema current' : `pending: ${pending.join(', ')}`)
      return pending.length === 0 ? 0 : 3
    }
    const applied = await migrate(pool)
    say(applied.length === 0 ? 'schema already current; nothing applied' : `applied: ${applied.join(', ')}`)
    if (login !== undefined) say(`login ${login.name}: ${await ensureRuntimeLogin(pool, login)}`)
    return 0
  } catch (err) {
    say(`failed: ${failureReason(err)}`)
    return 1
  } finally {
    await pool.end().catch(() => {})
  }
}

/** Creates the login as a member of lienthong_runtime, or sets its password when it exists. */
async function ensureRuntimeLogin (pool: pg.Pool, login: { name: string, password: string }): Promise<string> {
  const client = await pool.connect()
  try {
    const name = client.escapeIdentifier(login.name)
    const password = client.escapeLiteral(login.password)
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [login.name])
    if (rowCount === 0) {
      await client.query(`CREATE ROLE ${name} LOGIN PASSWORD ${password} IN ROLE lienthong_runtime`)
      return 'created (member of lienthong_runtime)'
    }
    await client.query(`ALTER ROLE ${name} LOGIN PASSWORD ${password}`)
    await client.query(`GRANT lienthong_runtime TO ${name}`)
    return 'password set (member of lienthong_runtime)'
  } finally {
    client.release()
  }
}

process.exit(await main())
