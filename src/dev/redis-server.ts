import { mkdirSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { clearLeftover } from './leftover.js'
import { ServiceProcess } from './service-process.js'

export interface RedisOptions {
  binary: string
  /** Data directory (created when missing). */
  dir: string
  logFile: string
  port: number
  timeoutMs: number
  log: (msg: string) => void
}

/** One PING over a raw socket: true on '+PONG' (false on -LOADING, refusal, timeout...). */
export async function pingRedis (port: number, timeoutMs = 1000): Promise<boolean> {
  return (await redisCommand(port, 'PING', timeoutMs))?.startsWith('+PONG') ?? false
}

/** The process_id from INFO server, proving who answers on the port; undefined when not ready. */
export async function redisServerPid (port: number, timeoutMs = 1000): Promise<number | undefined> {
  const reply = await redisCommand(port, 'INFO server', timeoutMs)
  const match = reply?.match(/^process_id:(\d+)/m)
  return match?.[1] !== undefined ? Number(match[1]) : undefined
}

/** Sends one inline command and returns the raw reply (a simple line, or a whole bulk string). */
function redisCommand (port: number, command: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    let reply = ''
    const done = (value: string | undefined): void => {
      socket.destroy()
      resolve(value)
    }
    socket.setTimeout(timeoutMs, () => done(undefined))
    socket.once('error', () => done(undefined))
    socket.once('close', () => done(reply === '' ? undefined : reply))
    socket.once('connect', () => socket.write(`${command}\r\n`))
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1')
      const eol = reply.indexOf('\r\n')
      if (eol < 0) return
      if (!reply.startsWith('$')) return done(reply)
      const length = Number.parseInt(reply.slice(1, eol), 10)
      if (length < 0 || Buffer.byteLength(reply, 'latin1') >= eol + 2 + length + 2) done(reply)
    })
  })
}

/** Starts a private redis-server configured for BullMQ (noeviction) and durability (AOF), waits for PONG. */
export async function startRedis (opts: RedisOptions): Promise<ServiceProcess> {
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 })
  const pidFile = join(opts.dir, 'redis-server.pid')
  await clearLeftover({ name: 'redis-server', pidFile, comm: 'redis-server', dir: opts.dir, signal: 'SIGTERM', log: opts.log })
  const proc = new ServiceProcess({
    name: 'redis-server',
    command: opts.binary,
    args: [
      '--port', String(opts.port),
      '--bind', '127.0.0.1',
      '--protected-mode', 'yes',
      '--dir', opts.dir,
      '--appendonly', 'yes',
      '--maxmemory-policy', 'noeviction',
      '--save', '',
      '--daemonize', 'no',
      '--pidfile', pidFile,
      '--logfile', ''
    ],
    logFile: opts.logFile,
    cwd: opts.dir,
    deathSignal: 'SIGTERM',
    ownProcessGroup: true
  })
  const deadline = Date.now() + opts.timeoutMs
  while (true) {
    if (proc.hasExited) throw proc.failure(`did not start: it ${proc.exitReason()}`)
    // the server answering must be ours: another one could hold the port while ours fails to bind
    const pid = await redisServerPid(opts.port)
    if (pid !== undefined && pid === proc.child.pid) return proc
    if (Date.now() > deadline) {
      await proc.stop('SIGKILL', 5000)
      throw proc.failure(`did not answer PING on 127.0.0.1:${opts.port} within ${opts.timeoutMs / 1000} s`)
    }
    await sleep(50)
  }
}
