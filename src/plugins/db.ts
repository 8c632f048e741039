import fp from 'fastify-plugin'
import type pg from 'pg'
import { migrate, MIGRATION_DEADLINE_MS } from '../db/migrate.js'
import { createPool } from '../db/pool.js'

declare module 'fastify' {
  interface FastifyInstance { db: pg.Pool }
}

/**
 * The PostgreSQL pool (owned here, closed on close), every wait of it bounded by DEPENDENCY_TIMEOUT_MS, and the
 * migrations applied at start through a pool of their own with a longer deadline (a migration may take minutes).
 */
export default fp(async function db (app) {
  const url = app.config.databaseUrl
  if (url === undefined) throw new Error('DATABASE_URL is not set (the embedded default sets it before building the app)')
  const warn = (msg: string, err: Error): void => { app.log.warn({ err: err.message }, msg) }
  const timeoutMs = app.config.dependencies.timeoutMs
  const pool = createPool(url, { max: app.config.databasePoolSize, name: 'lienthong-gateway', deadlines: { queryMs: timeoutMs, connectMs: timeoutMs }, warn })
  app.decorate('db', pool)
  app.addHook('onClose', async () => { await pool.end() })
  const migrations = createPool(url, { max: 1, name: 'lienthong-migrate', deadlines: { queryMs: MIGRATION_DEADLINE_MS, connectMs: Math.max(timeoutMs, 5000) }, warn })
  try {
    const applied = await migrate(migrations)
    if (applied.length > 0) app.log.info({ applied }, 'database migrations applied')
  } finally {
    await migrations.end()
  }
}, { name: 'db', dependencies: ['config'] })
