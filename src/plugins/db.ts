import fp from 'fastify-plugin'
import pg from 'pg'
import { assertMigrated, migrate } from '../db/migrate.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: pg.Pool
    /**
     * A small pool of direct sessions to the primary (DATABASE_DIRECT_URL; the main pool when unset): for what a
     * transaction-mode pooler breaks — LISTEN/NOTIFY and session advisory locks.
     */
    dbDirect: pg.Pool
    /** The auditors' reads (DATABASE_READ_URL, a replica; the main pool when unset). */
    dbRead: pg.Pool
  }
}

/**
 * The PostgreSQL pools (owned here, closed on close) and the migrations at start (MIGRATIONS=auto applies what is
 * pending; off refuses to start while anything is pending).
 */
export default fp(async function db (app) {
  const { databaseUrl, databaseDirectUrl, databaseReadUrl, databasePoolSize } = app.config
  if (databaseUrl === undefined) throw new Error('DATABASE_URL is not set (the embedded default sets it before building the app)')
  const owned: pg.Pool[] = []
  const open = (connectionString: string, max: number, name: string): pg.Pool => {
    const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000, application_name: name })
    // An idle client losing its server must not crash the process; the next query reports the error.
    pool.on('error', (err) => app.log.warn({ err: err.message }, 'postgres idle client error'))
    // A checked-out client has no pool listener: without one, a server crash would be an uncaught 'error'
    // that kills the process. The query in flight still fails and is reported to its caller.
    pool.on('connect', (client) => { client.on('error', (err) => app.log.warn({ err: err.message }, 'postgres client error')) })
    owned.push(pool)
    return pool
  }
  const pool = open(databaseUrl, databasePoolSize, 'lienthong-gateway')
  const direct = databaseDirectUrl !== undefined ? open(databaseDirectUrl, 3, 'lienthong-direct') : pool
  const read = databaseReadUrl !== undefined ? open(databaseReadUrl, Math.max(2, Math.ceil(databasePoolSize / 4)), 'lienthong-read') : pool
  app.decorate('db', pool)
  app.decorate('dbDirect', direct)
  app.decorate('dbRead', read)
  const closeAll = async (): Promise<void> => { await Promise.all(owned.map(async (p) => { await p.end() })) }
  app.addHook('onClose', closeAll)
  try {
    if (app.config.migrations === 'off') {
      await assertMigrated(direct)
      return
    }
    const applied = await migrate(direct)
    if (applied.length > 0) app.log.info({ applied }, 'database migrations applied')
  } catch (err) {
    await closeAll().catch(() => {})
    throw err
  }
}, { name: 'db', dependencies: ['config'] })
