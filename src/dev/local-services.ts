import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { findBinaries, missingBinariesMessage } from './find-binaries.js'
import { freePort } from './free-port.js'
import { startPostgres, type RunningPostgres } from './postgres-cluster.js'
import { startRedis } from './redis-server.js'
import type { ServiceProcess } from './service-process.js'
import { signalTree } from './process-tree.js'

export { findBinaries, missingBinaries, missingBinariesMessage, type ServiceBinaries } from './find-binaries.js'

export interface LocalServicesOptions {
  /** Everything lives here: `redis/`, `pg/` (cluster), `run/` (socket), `logs/`. Created when missing. */
  dir: string
  /** Default: a free port. */
  redisPort?: number
  /** Default: a free port. */
  pgPort?: number
  /** Progress messages (default: none). */
  log?: (msg: string) => void
  /** For tests: PostgreSQL with fsync, synchronous_commit and full_page_writes off. Default false. */
  fast?: boolean
  /** Database created when missing. Default 'lienthong'. */
  database?: string
  /** How long each server may take to answer. Default 30000. */
  startTimeoutMs?: number
}

export interface LocalServices {
  /** redis://127.0.0.1:PORT */
  redisUrl: string
  /** postgres://postgres@127.0.0.1:PORT/lienthong */
  databaseUrl: string
  redisPort: number
  pgPort: number
  /**
   * Sends `signal` to every process of one server: SIGSTOP freezes it — connections stay open and nothing answers,
   * as in a network partition — and SIGCONT resumes it. PostgreSQL's backends and background processes each lead
   * a process group of their own (the postmaster calls setsid for them), so they are found as the postmaster's
   * descendants (Linux /proc); the postmaster is stopped first, so that it forks no new one meanwhile. Does nothing
   * once the server has stopped. Returns the processes signalled.
   */
  signal: (server: 'redis' | 'postgres', signal: NodeJS.Signals) => number[]
  /** Stops both servers (Redis: SIGTERM; PostgreSQL: smart, then fast shutdown; SIGKILL after a timeout). Idempotent. */
  stop: () => Promise<void>
}

const STOP_TIMEOUT_MS = 15_000
/**
 * PostgreSQL: a smart shutdown first (SIGTERM: no new session, the server exits once the open ones end), then a fast
 * one (SIGINT: the sessions left are terminated), then SIGKILL. Its owner stops it after closing its own pools, but
 * a pool's `end()` resolves once it has sent its sessions' Terminate, not once the server has ended them: a fast
 * shutdown at once met those sessions still open, and each of them got "terminating connection due to
 * administrator command" on the way out (warnings in a clean Ctrl-C).
 */
const POSTGRES_STOP = [{ signal: 'SIGTERM' as const, timeoutMs: 3000 }, { signal: 'SIGINT' as const, timeoutMs: STOP_TIMEOUT_MS }]
const PORT_ATTEMPTS = 3

async function freePortExcept (avoid: number[]): Promise<number> {
  for (;;) {
    const port = await freePort()
    if (!avoid.includes(port)) return port
  }
}

/** Starts with a free port, picking another one when it was taken meanwhile; a given port is tried once. */
async function withPort<T> (
  given: number | undefined,
  avoid: number[],
  start: (port: number) => Promise<T>
): Promise<{ port: number, value: T }> {
  for (let attempt = 1; ; attempt++) {
    const port = given ?? await freePortExcept(avoid)
    try {
      return { port, value: await start(port) }
    } catch (err) {
      const taken = /address already in use/i.test((err as Error).message)
      if (given !== undefined || !taken || attempt >= PORT_ATTEMPTS) throw err
    }
  }
}

/**
 * Starts a private redis-server and a private PostgreSQL cluster under `opts.dir` from the machine's
 * binaries and waits until both answer. Each runs in a process group of its own; children are killed with us
 * (Linux) and their output goes to `<dir>/logs/`.
 */
export async function startLocalServices (opts: LocalServicesOptions): Promise<LocalServices> {
  const log = opts.log ?? (() => {})
  const binaries = findBinaries()
  const missing = missingBinariesMessage(binaries)
  if (missing !== undefined || binaries.redisServer === undefined || binaries.initdb === undefined ||
    binaries.postgres === undefined) {
    throw new Error(missing ?? 'server binaries not found')
  }
  const dir = resolve(opts.dir)
  const logDir = join(dir, 'logs')
  mkdirSync(logDir, { recursive: true })
  const timeoutMs = opts.startTimeoutMs ?? 30_000
  const redisBinary = binaries.redisServer

  const redis = await withPort(opts.redisPort, [], (port) => startRedis({
    binary: redisBinary,
    dir: join(dir, 'redis'),
    logFile: join(logDir, 'redis.log'),
    port,
    timeoutMs,
    log
  }))
  log(`redis-server listening on 127.0.0.1:${redis.port}`)

  const database = opts.database ?? 'lienthong'
  let postgres: { port: number, value: RunningPostgres }
  try {
    postgres = await withPort(opts.pgPort, [redis.port], (port) => startPostgres({
      initdb: binaries.initdb as string,
      postgres: binaries.postgres as string,
      baseDir: dir,
      dataDir: join(dir, 'pg'),
      socketDir: join(dir, 'run'),
      logDir,
      port,
      database,
      fast: opts.fast ?? false,
      timeoutMs,
      log
    }))
  } catch (err) {
    await redis.value.stop('SIGTERM', STOP_TIMEOUT_MS)
    throw err
  }
  log(`postgres listening on 127.0.0.1:${postgres.port}`)

  let stopping: Promise<void> | undefined
  const stopAll = async (): Promise<void> => {
    // a server frozen by SIGSTOP would take its stop signal only once resumed
    signalTree(redis.value.processGroup, 'SIGCONT')
    signalTree(postgres.value.proc.processGroup, 'SIGCONT')
    const stops: Array<Promise<void>> = [
      stopProcess(redis.value, 'SIGTERM'),
      postgres.value.proc.stopInSteps(POSTGRES_STOP).finally(postgres.value.cleanup)
    ]
    const results = await Promise.allSettled(stops)
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed !== undefined) throw failed.reason
  }
  return {
    redisUrl: `redis://127.0.0.1:${redis.port}`,
    databaseUrl: `postgres://postgres@127.0.0.1:${postgres.port}/${encodeURIComponent(database)}`,
    redisPort: redis.port,
    pgPort: postgres.port,
    signal: (server, signal) => signalTree(server === 'redis' ? redis.value.processGroup : postgres.value.proc.processGroup, signal),
    stop () {
      stopping ??= stopAll()
      return stopping
    }
  }
}

function stopProcess (proc: ServiceProcess, signal: NodeJS.Signals): Promise<void> {
  return proc.stop(signal, STOP_TIMEOUT_MS)
}
