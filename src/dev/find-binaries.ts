import { accessSync, constants, readdirSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/** Absolute paths of the server binaries the local services launcher needs; a key is absent when not found. */
export interface ServiceBinaries {
  redisServer?: string
  initdb?: string
  postgres?: string
  pgCtl?: string
}

const PG_LIB_DIR = '/usr/lib/postgresql'

function isExecutable (file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function pathDirs (): string[] {
  return (process.env.PATH ?? '').split(delimiter).filter((d) => d !== '')
}

/** The first executable called `name` on PATH, or undefined. */
export function findOnPath (name: string): string | undefined {
  for (const dir of pathDirs()) {
    const file = join(dir, name)
    if (isExecutable(file)) return file
  }
  return undefined
}

/** `/usr/lib/postgresql/<version>/bin` directories (Debian layout), highest version first. */
function debianPgBinDirs (): string[] {
  let versions: string[]
  try {
    versions = readdirSync(PG_LIB_DIR)
  } catch {
    return []
  }
  return versions
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    .map((v) => join(PG_LIB_DIR, v, 'bin'))
}

/**
 * Finds redis-server, and initdb + postgres (+ pg_ctl) taken from one and the same directory so their
 * versions match: PATH first, then the highest `/usr/lib/postgresql/*\/bin`.
 */
export function findBinaries (): ServiceBinaries {
  const found: ServiceBinaries = {}
  const redisServer = findOnPath('redis-server')
  if (redisServer !== undefined) found.redisServer = redisServer
  for (const dir of [...pathDirs(), ...debianPgBinDirs()]) {
    const initdb = join(dir, 'initdb')
    const postgres = join(dir, 'postgres')
    if (isExecutable(initdb) && isExecutable(postgres)) {
      found.initdb = initdb
      found.postgres = postgres
      const pgCtl = join(dir, 'pg_ctl')
      if (isExecutable(pgCtl)) found.pgCtl = pgCtl
      break
    }
  }
  return found
}

/** Names of the required binaries that are missing (pg_ctl is optional). */
export function missingBinaries (found: ServiceBinaries = findBinaries()): string[] {
  const missing: string[] = []
  if (found.redisServer === undefined) missing.push('redis-server')
  if (found.initdb === undefined) missing.push('initdb')
  if (found.postgres === undefined) missing.push('postgres')
  return missing
}

/**
 * A human message saying exactly what to install, or undefined when every required binary is present.
 */
export function missingBinariesMessage (found: ServiceBinaries = findBinaries()): string | undefined {
  const missing = missingBinaries(found)
  if (missing.length === 0) return undefined
  const packages: string[] = []
  if (missing.includes('redis-server')) packages.push('redis-server')
  if (missing.includes('initdb') || missing.includes('postgres')) packages.push('postgresql')
  return [
    `Local services need ${missing.join(', ')}, which ${missing.length === 1 ? 'was' : 'were'} not found ` +
      `on PATH or under ${PG_LIB_DIR}/*/bin.`,
    `Install ${packages.join(' and ')}:`,
    `  Debian/Ubuntu: apt-get install -y ${packages.join(' ')}`,
    '  (other systems: the Redis server >= 6.2 and PostgreSQL server >= 14 packages)',
    'or set REDIS_URL and DATABASE_URL to existing servers.'
  ].join('\n')
}
