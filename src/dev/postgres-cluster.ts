import { chmodSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { clearLeftover } from './leftover.js'
import { chownRecursive, ensureReachable, postgresRunAs, type RunAsUser } from './run-as.js'
import { runTool, ServiceProcess } from './service-process.js'

export interface PostgresOptions {
  initdb: string
  postgres: string
  /** The directory the caller gave us: permissions are only adjusted inside it. */
  baseDir: string
  /** Cluster data directory (initdb target). */
  dataDir: string
  /** Unix socket directory (-k). */
  socketDir: string
  logDir: string
  port: number
  /** Database created when missing. */
  database: string
  /** Tests: fsync, synchronous_commit and full_page_writes off (and initdb --no-sync). */
  fast: boolean
  timeoutMs: number
  log: (msg: string) => void
}

export interface RunningPostgres {
  proc: ServiceProcess
  /** Removes what only lives for this run (a socket directory under the temp dir). */
  cleanup: () => void
}

// sun_path is 108 bytes: the socket and its lock file name must fit
const MAX_SOCKET_DIR_BYTES = 107 - '/.s.PGSQL.65535.lock'.length

function prepareDir (dir: string, runAs: RunAsUser | undefined): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700)
  if (runAs !== undefined && statSync(dir).uid !== runAs.uid) chownRecursive(dir, runAs)
}

async function initCluster (opts: PostgresOptions, runAs: RunAsUser | undefined): Promise<void> {
  opts.log(`initialising a PostgreSQL cluster in ${opts.dataDir}`)
  await runTool({
    name: 'initdb',
    command: opts.initdb,
    args: [
      '-D', opts.dataDir,
      '-U', 'postgres',
      '--auth=trust', // the generated pg_hba.conf only admits the local socket and loopback addresses
      '--encoding=UTF8',
      '--no-locale',
      ...(opts.fast ? ['--no-sync'] : [])
    ],
    logFile: join(opts.logDir, 'initdb.log'),
    cwd: opts.dataDir,
    runAs
  })
}

function serverSettings (opts: PostgresOptions): string[] {
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    fsync: opts.fast ? 'off' : 'on'
  }
  if (opts.fast) {
    settings.synchronous_commit = 'off'
    settings.full_page_writes = 'off'
  }
  return Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])
}

function realpathOr (path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

function client (port: number, database: string): pg.Client {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database, connectionTimeoutMillis: 2000 })
  c.on('error', () => {})
  return c
}

/**
 * `SELECT 1` on the maintenance database; throws when the server does not answer yet, or when the one
 * answering on the port is not ours (serves another data directory).
 */
async function selectOne (port: number, dataDir: string): Promise<void> {
  const c = client(port, 'postgres')
  try {
    await c.connect()
    const res = await c.query<{ dir: string }>("SELECT 1, current_setting('data_directory') AS dir")
    const served = res.rows[0]?.dir
    if (served !== dataDir && served !== realpathOr(dataDir)) {
      throw new Error(`the server on port ${port} serves ${String(served)}, not ${dataDir}`)
    }
  } finally {
    await c.end().catch(() => {})
  }
}

async function ensureDatabase (port: number, database: string): Promise<void> {
  const c = client(port, 'postgres')
  try {
    await c.connect()
    const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
    if (found.rowCount === 0) {
      await c.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err // 42P04: created meanwhile
      })
    }
  } finally {
    await c.end().catch(() => {})
  }
}

/**
 * Initialises the cluster when needed and starts postgres on 127.0.0.1:port, as the `postgres` user
 * when we are root; resolves once `SELECT 1` answers and the database exists.
 */
export async function startPostgres (opts: PostgresOptions): Promise<RunningPostgres> {
  const runAs = postgresRunAs()
  prepareDir(opts.dataDir, runAs)
  if (runAs !== undefined) ensureReachable(opts.dataDir, opts.baseDir, runAs)
  if (!existsSync(join(opts.dataDir, 'PG_VERSION'))) await initCluster(opts, runAs)

  let socketDir = opts.socketDir
  let temporarySocketDir = false
  if (Buffer.byteLength(socketDir) > MAX_SOCKET_DIR_BYTES) {
    socketDir = mkdtempSync(join(tmpdir(), 'lienthong-pg-'))
    temporarySocketDir = true
  }
  prepareDir(socketDir, runAs)
  if (runAs !== undefined) ensureReachable(join(socketDir, 'x'), temporarySocketDir ? socketDir : opts.baseDir, runAs)
  const cleanup = (): void => {
    if (temporarySocketDir) rmSync(socketDir, { recursive: true, force: true })
  }

  await clearLeftover({
    name: 'PostgreSQL',
    pidFile: join(opts.dataDir, 'postmaster.pid'),
    comm: 'postgres',
    dir: opts.dataDir,
    signal: 'SIGINT',
    log: opts.log
  })
  const proc = new ServiceProcess({
    name: 'postgres',
    command: opts.postgres,
    args: ['-D', opts.dataDir, '-p', String(opts.port), '-k', socketDir, ...serverSettings(opts)],
    logFile: join(opts.logDir, 'postgres.log'),
    cwd: opts.dataDir,
    runAs,
    deathSignal: 'SIGINT', // "fast" shutdown
    ownProcessGroup: true
  })

  try {
    const deadline = Date.now() + opts.timeoutMs
    while (true) {
      if (proc.hasExited) throw proc.failure(`did not start: it ${proc.exitReason()}`)
      try {
        await selectOne(opts.port, opts.dataDir)
        break
      } catch (err) {
        if (Date.now() > deadline) {
          await proc.stop('SIGQUIT', 5000)
          throw proc.failure(
            `did not answer SELECT 1 on 127.0.0.1:${opts.port} within ${opts.timeoutMs / 1000} s ` +
              `(${(err as Error).message})`
          )
        }
      }
      await sleep(100)
    }
    await ensureDatabase(opts.port, opts.database)
  } catch (err) {
    await proc.stop('SIGINT', 10_000)
    cleanup()
    throw err
  }
  return { proc, cleanup }
}
