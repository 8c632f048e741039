import { readdir, readFile } from 'node:fs/promises'
import type pg from 'pg'
import { fromRoot } from '../lib/repo-root.js'
import { withPoolClient } from './pool.js'

/** Arbitrary, fixed key of the advisory lock that serialises migrations across instances starting at once. */
const MIGRATION_LOCK = 727_001

/** The deadline of each migration statement (and of the wait for another instance's migrations): start-up, not a request. */
export const MIGRATION_DEADLINE_MS = 600_000

/**
 * Applies the versioned SQL files of `migrations/` (NNN_name.sql) in order, each in its own transaction,
 * under a session advisory lock so that several instances starting together apply each file once.
 */
export async function migrate (pool: pg.Pool, dir = fromRoot('migrations')): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort()
  const applied: string[] = []
  await withPoolClient(pool, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`)
    const { rows } = await client.query<{ version: string }>('SELECT version FROM schema_migrations')
    const done = new Set(rows.map((r) => r.version))
    for (const file of files) {
      const version = file.slice(0, -4)
      if (done.has(version)) continue
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
