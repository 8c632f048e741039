import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import pg from 'pg'
import { startLocalServices, type LocalServices } from '../../src/dev/local-services.js'

export interface Services {
  redisUrl: string
  /** The maintenance database's URL (where the others are created). */
  adminUrl: string
  /** A new empty database, dropped by `close`; returns its URL. */
  database: (prefix: string) => Promise<string>
  /** Counts rows of a query in one of the databases made here. */
  count: (url: string, sql: string) => Promise<number>
  close: () => Promise<void>
}

/** Redis + PostgreSQL for the gateways of the bench: the given servers, or private ones under `dir` (fsync on). */
export async function services (dir: string, given: { redisUrl?: string, databaseUrl?: string }, log: (m: string) => void): Promise<Services> {
  let local: LocalServices | undefined
  if (given.redisUrl === undefined || given.databaseUrl === undefined) {
    log('starting private Redis and PostgreSQL')
    local = await startLocalServices({ dir: join(dir, 'services') })
  }
  const redisUrl = given.redisUrl ?? local?.redisUrl as string
  const adminUrl = given.databaseUrl ?? local?.databaseUrl as string
  const admin = new pg.Client({ connectionString: adminUrl })
  try {
    await admin.connect()
  } catch (err) {
    await local?.stop()
    throw err
  }
  const made: string[] = []
  const urlOf = (name: string): string => { const u = new URL(adminUrl); u.pathname = `/${name}`; return u.toString() }
  return {
    redisUrl,
    adminUrl,
    async database (prefix) {
      const name = `${prefix}_${randomBytes(4).toString('hex')}`
      await admin.query(`CREATE DATABASE ${name}`)
      made.push(name)
      return urlOf(name)
    },
    async count (url, sql) {
      const c = new pg.Client({ connectionString: url })
      await c.connect()
      try {
        return Number((await c.query<{ n: string }>(sql)).rows[0]?.n ?? 0)
      } finally {
        await c.end()
      }
    },
    async close () {
      for (const name of made) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {})
      await admin.end().catch(() => {})
      await local?.stop()
    }
  }
}
