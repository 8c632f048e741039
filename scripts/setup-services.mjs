#!/usr/bin/env node
// Makes sure the machine can run the embedded local services (npm start / npm test without REDIS_URL
// and DATABASE_URL): redis-server, and initdb + postgres. As root on Debian/Ubuntu it installs what is
// missing with apt-get; otherwise it says exactly what to install and exits 1. Plain JS: runs before
// any build. Keep the lookup in step with src/dev/find-binaries.ts.
import { execFileSync, spawnSync } from 'node:child_process'
import { accessSync, constants, readdirSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'

const PG_LIB_DIR = '/usr/lib/postgresql'

function isExecutable (file) {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function pathDirs () {
  return (process.env.PATH ?? '').split(delimiter).filter((d) => d !== '')
}

function findOnPath (name) {
  return pathDirs().map((d) => join(d, name)).find(isExecutable)
}

function debianPgBinDirs () {
  let versions
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

function findBinaries () {
  const pgDir = [...pathDirs(), ...debianPgBinDirs()]
    .find((d) => isExecutable(join(d, 'initdb')) && isExecutable(join(d, 'postgres')))
  return {
    redisServer: findOnPath('redis-server'),
    postgres: pgDir !== undefined ? join(pgDir, 'postgres') : undefined
  }
}

function missingPackages (found) {
  const packages = []
  if (found.redisServer === undefined) packages.push('redis-server')
  if (found.postgres === undefined) packages.push('postgresql')
  return packages
}

function installHint (packages) {
  return [
    `setup: missing ${packages.join(' and ')} (needed for the local services when REDIS_URL and ` +
      'DATABASE_URL are not set).',
    `Install: apt-get install -y ${packages.join(' ')}   (Debian/Ubuntu, as root)`,
    '  other systems: the Redis server >= 6.2 and PostgreSQL server >= 14 packages;',
    'or set REDIS_URL and DATABASE_URL to existing servers.'
  ].join('\n')
}

function run (command, args) {
  const res = spawnSync(command, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  })
  if (res.status !== 0) {
    console.error(`setup: ${command} ${args.join(' ')} failed (${res.error?.message ?? `exit code ${res.status}`})`)
    process.exit(1)
  }
}

function hasUser (name) {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

if (process.env.REDIS_URL && process.env.DATABASE_URL) process.exit(0)

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
let found = findBinaries()
let packages = missingPackages(found)

if (packages.length > 0) {
  if (!isRoot || findOnPath('apt-get') === undefined) {
    console.error(installHint(packages))
    process.exit(1)
  }
  console.log(`setup: installing ${packages.join(' ')} with apt-get`)
  run('apt-get', ['update'])
  run('apt-get', ['install', '-y', '--no-install-recommends', ...packages])
  found = findBinaries()
  packages = missingPackages(found)
  if (packages.length > 0) {
    console.error(installHint(packages))
    process.exit(1)
  }
}

// PostgreSQL refuses to run as root: the launcher runs it as the `postgres` user
if (isRoot && !hasUser('postgres')) {
  if (findOnPath('useradd') === undefined) {
    console.error('setup: running as root needs a `postgres` system user to run PostgreSQL as; create one.')
    process.exit(1)
  }
  run('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'])
}

console.log(`setup: local services available (redis-server: ${found.redisServer}, postgres: ${dirname(found.postgres)})`)
