import { chmodSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { findBinaries, missingBinariesMessage } from '../../src/dev/find-binaries.js'
import { freePort } from '../../src/dev/free-port.js'
import { startPostgres, type RunningPostgres } from '../../src/dev/postgres-cluster.js'
import { startRedis } from '../../src/dev/redis-server.js'
import type { ServiceProcess } from '../../src/dev/service-process.js'
import { signalTree } from '../../src/dev/process-tree.js'

/**
 * A private Redis and PostgreSQL (the launcher of src/dev) that can each be killed and started again on the same
 * port and data directory: Redis keeps its append-only file, PostgreSQL replays its WAL (fsync on: a crash here is
 * a crash, not a corruption).
 */
export interface Stack {
  redisUrl: string
  databaseUrl: string
  /** SIGKILL: Redis dies without a word (up to a second of writes not yet in its AOF may be gone). */
  killRedis (): Promise<void>
  startRedis (): Promise<void>
  /** SIGQUIT: PostgreSQL's immediate shutdown, i.e. a crash; crash recovery runs at the next start. */
  crashPostgres (): Promise<void>
  startPostgres (): Promise<void>
  /**
   * SIGSTOP of every process of the server (PostgreSQL's postmaster, background processes and backends): frozen, as
   * a network partition looks — connections stay open, nothing answers. Returns how many processes were stopped.
   */
  freeze (server: 'redis' | 'postgres'): number
  /** SIGCONT of every process of the server. */
  thaw (server: 'redis' | 'postgres'): void
  redisPid (): number | undefined
  postgresPid (): number | undefined
  stop (): Promise<void>
}

export async function startStack (dir: string, log: (msg: string) => void): Promise<Stack> {
  const binaries = findBinaries()
  const missing = missingBinariesMessage(binaries)
  if (missing !== undefined) throw new Error(missing)
  // traversable (never readable) by others: the private PostgreSQL runs as the postgres user when we are root
  mkdirSync(dir, { recursive: true })
  chmodSync(dir, 0o711)
  const logDir = join(dir, 'logs')
  mkdirSync(logDir, { recursive: true })
  const redisPort = await freePort()
  let pgPort = await freePort()
  while (pgPort === redisPort) pgPort = await freePort()

  let redis: ServiceProcess | undefined
  let postgres: RunningPostgres | undefined
  const leader = (server: 'redis' | 'postgres'): number | undefined => (server === 'redis' ? redis : postgres?.proc)?.processGroup
  const stack: Stack = {
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    databaseUrl: `postgres://postgres@127.0.0.1:${pgPort}/lienthong`,
    async startRedis () {
      redis = await startRedis({ binary: binaries.redisServer as string, dir: join(dir, 'redis'), logFile: join(logDir, 'redis.log'), port: redisPort, timeoutMs: 30_000, log })
    },
    async killRedis () {
      await redis?.stop('SIGKILL', 5000)
    },
    async startPostgres () {
      postgres = await startPostgres({
        initdb: binaries.initdb as string,
        postgres: binaries.postgres as string,
        baseDir: dir,
        dataDir: join(dir, 'pg'),
        socketDir: join(dir, 'run'),
        logDir,
        port: pgPort,
        database: 'lienthong',
        fast: false,
        timeoutMs: 60_000,
        log
      })
    },
    async crashPostgres () {
      await postgres?.proc.stop('SIGQUIT', 10_000)
    },
    freeze: (server) => signalTree(leader(server), 'SIGSTOP').length,
    thaw: (server) => { signalTree(leader(server), 'SIGCONT') },
    redisPid: () => redis?.hasExited === false ? redis.child.pid : undefined,
    postgresPid: () => postgres?.proc.hasExited === false ? postgres.proc.child.pid : undefined,
    async stop () {
      // a frozen server takes its stop signal only once resumed
      signalTree(leader('redis'), 'SIGCONT')
      signalTree(leader('postgres'), 'SIGCONT')
      await Promise.allSettled([redis?.stop('SIGTERM', 10_000), postgres?.proc.stop('SIGINT', 15_000)])
      postgres?.cleanup()
    }
  }
  await stack.startRedis()
  await stack.startPostgres()
  return stack
}
