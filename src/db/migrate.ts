import { readdir, readFile } from 'node:fs/promises'
import type pg from 'pg'
import { fromRoot } from '../lib/repo-root.js'
import { withPoolClient } from './pool.js'

/** Arbitrary, fixed key of the advisory lock that serialises migrations across instances starting at once. */
const MIGRATION_LOCK = 727_001

/** The deadline of each migration statement (and of the wait for another instance's migrations): start-up, not a request. */
export const MIGRATION_DEADLINE_MS = 600_000

const MIGRATION_FILE = /^\d{3}_[a-z0-9_]+\.sql$/

/** The versions (file names without `.sql`) shipped with this code, in the order they apply. */
export async function shippedMigrations (dir = fromRoot('migrations')): Promise<string[]> {
  return (await readdir(dir)).filter((f) => MIGRATION_FILE.test(f)).sort().map((f) => f.slice(0, -4))
}

/** The versions recorded as applied; empty on a database never migrated. Reads only (no DDL). */
export async function appliedMigrations (db: pg.Pool | pg.PoolClient): Promise<Set<string>> {
  const { rows: [found] } = await db.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t")
  if (found?.t == null) return new Set()
  const { rows } = await db.query<{ version: string }>('SELECT version FROM schema_migrations')
  return new Set(rows.map((r) => r.version))
}

/** Shipped versions not applied yet. A database ahead of the code (a newer release migrated it) is fine. */
export async function pendingMigrations (db: pg.Pool | pg.PoolClient, dir = fromRoot('migrations')): Promise<string[]> {
  const done = await appliedMigrations(db)
  return (await shippedMigrations(dir)).filter((v) => !done.has(v))
}

/** Thrown when MIGRATIONS=off and the schema is behind the code. */
export class SchemaBehindError extends Error {
  constructor (readonly pending: string[]) {
    super(`the database schema is behind this release (pending: ${pending.join(', ')}); ` +
      'run the migrations as the schema owner first (`npm run migrate`, or `node dist/src/migrate.js` in the image)')
  }
}

/** MIGRATIONS=off: refuses a schema that lacks a shipped migration; never changes the database. */
export async function assertMigrated (db: pg.Pool, dir = fromRoot('migrations')): Promise<void> {
  const pending = await pendingMigrations(db, dir)
  if (pending.length > 0) throw new SchemaBehindError(pending)
}

/**
 * Applies the versioned SQL files of `migrations/` (NNN_name.sql) in order, each in its own transaction,
 * under a session advisory lock so that several instances starting together apply each file once. A schema
 * already current is only read: no lock, no DDL (a least-privilege login starts against it).
 */
export async function migrate (pool: pg.Pool, dir = fromRoot('migrations')): Promise<string[]> {
  if ((await pendingMigrations(pool, dir)).length === 0) return []
  const applied: string[] = []
  await withPoolClient(pool, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`)
    const done = await appliedMigrations(client)
    for (const version of await shippedMigrations(dir)) {
      if (done.has(version)) continue
      const file = `${version}.sql`
      const sql = await readFile(`${dir}/${file}`, 'utf8')
      await client.query('BEGIN')
      try {
        await client.query(sql)
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version])
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK')
        throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err })
      }
      applied.push(version)
    }
  }, async (client) => await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]))
  return applied
}
