import fp from 'fastify-plugin'
import type pg from 'pg'
import { assertMigrated, migrate, MIGRATION_DEADLINE_MS } from '../db/migrate.js'
import { createPool } from '../db/pool.js'

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
 * The PostgreSQL pools (owned here, closed on close), every wait of them bounded by DEPENDENCY_TIMEOUT_MS, and the
 * migrations at start: MIGRATIONS=auto applies what is pending through a pool of its own with a longer deadline (a
 * migration may take minutes); off refuses to start while anything is pending.
 */
export default fp(async function db (app) {
  const { databaseUrl, databaseDirectUrl, databaseReadUrl, databasePoolSize } = app.config
  if (databaseUrl === undefined) throw new Error('DATABASE_URL is not set (the embedded default sets it before building the app)')
  const warn = (msg: string, err: Error): void => { app.log.warn({ err: err.message }, msg) }
  const timeoutMs = app.config.dependencies.timeoutMs
  const owned: pg.Pool[] = []
  const open = (connectionString: string, max: number, name: string, queryMs = timeoutMs): pg.Pool => {
    const pool = createPool(connectionString, { max, name, deadlines: { queryMs, connectMs: Math.max(timeoutMs, max === 1 ? 5000 : 0) }, warn })
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
    const migrations = createPool(databaseDirectUrl ?? databaseUrl, { max: 1, name: 'lienthong-migrate', deadlines: { queryMs: MIGRATION_DEADLINE_MS, connectMs: Math.max(timeoutMs, 5000) }, warn })
    try {
      const applied = await migrate(migrations)
      if (applied.length > 0) app.log.info({ applied }, 'database migrations applied')
    } finally {
      await migrations.end()
    }
  } catch (err) {
    await closeAll().catch(() => {})
    throw err
  }
}, { name: 'db', dependencies: ['config'] })
