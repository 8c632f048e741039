import fp from 'fastify-plugin'
import pg from 'pg'
import { migrate } from '../db/migrate.js'

declare module 'fastify' {
  interface FastifyInstance { db: pg.Pool }
}

/** The PostgreSQL pool (owned here, closed on close) and the migrations applied at start. */
export default fp(async function db (app) {
  const url = app.config.databaseUrl
  if (url === undefined) throw new Error('DATABASE_URL is not set (the embedded default sets it before building the app)')
  const pool = new pg.Pool({
    connectionString: url,
    max: app.config.databasePoolSize,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    application_name: 'lienthong-gateway'
  })
  // An idle client losing its server must not crash the process; the next query reports the error.
  pool.on('error', (err) => app.log.warn({ err: err.message }, 'postgres idle client error'))
  // A checked-out client has no pool listener: without one, a server crash would be an uncaught 'error'
  // that kills the process. The query in flight still fails and is reported to its caller.
  pool.on('connect', (client) => { client.on('error', (err) => app.log.warn({ err: err.message }, 'postgres client error')) })
  app.decorate('db', pool)
  app.addHook('onClose', async () => { await pool.end() })
  const applied = await migrate(pool)
  if (applied.length > 0) app.log.info({ applied }, 'database migrations applied')
}, { name: 'db', dependencies: ['config'] })
