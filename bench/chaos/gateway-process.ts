import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'

const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url))
/** Compiled next to this file: dist/bench/chaos → dist/src. */
export const SERVER = here('../../src/server.js')
export const WORKER = here('../../src/worker.js')
export const TRACING = here('../../src/tracing.js')
export const ROOT = here('../../../')

export interface GatewayProcess {
  name: string
  url: string
  pid (): number | undefined
  /** Starts the process (again) on the same port and waits until GET /health/ready answers 200. */
  start (): Promise<void>
  /** Sends `signal` and waits for the exit. */
  kill (signal: NodeJS.Signals): Promise<void>
  running (): boolean
  logTail (lines?: number): string
  /** Called when the process exits without `kill` having been asked (a crash), with its last log lines. */
  onCrash (listener: (exit: { code: number | null, signal: string | null, log: string }) => void): void
}

export interface GatewayOptions {
  name: string
  port: number
  env: Record<string, string>
  logFile: string
  /** More `--import` modules (the soak's probe). */
  imports?: string[]
  /** `worker`: a worker-only process (src/worker.ts), ready once it logs its start line. Default `server`. */
  entry?: 'server' | 'worker'
  /** How long a start may take (default 90 s). */
  startTimeoutMs?: number
}

/** One gateway started like `npm start` (node --import dist/src/tracing.js dist/src/server.js), configured by environment. */
export function gatewayProcess (opts: GatewayOptions): GatewayProcess {
  let child: ChildProcess | undefined
  let killing = false
  let ready = false
  let starting: Promise<void> | undefined
  const crashListeners: Array<(exit: { code: number | null, signal: string | null, log: string }) => void> = []
  const url = `http://127.0.0.1:${opts.port}`
  const running = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null
  const readLog = (): string => {
    try { return readFileSync(opts.logFile, 'utf8') } catch { return '' }
  }
  const logTail = (lines = 20): string => {
    try {
      return readFileSync(opts.logFile, 'utf8').split('\n').slice(-lines).join('\n')
    } catch {
      return ''
    }
  }
  return {
    name: opts.name,
    url,
    pid: () => running() ? child?.pid : undefined,
    running,
    logTail,
    onCrash (listener) { crashListeners.push(listener) },
    async start () {
      // one start at a time (a supervisor and a script may both ask); a ready process is left alone
      if (running() && ready) return
      starting ??= spawnAndWait().finally(() => { starting = undefined })
      await starting
    },
    async kill (signal) {
      if (!running() || child === undefined) return
      killing = true
      const exited = once(child, 'exit')
      child.kill(signal)
      await exited
    }
  }

  async function spawnAndWait (): Promise<void> {
    killing = false
    ready = false
    const fd = openSync(opts.logFile, 'a')
    const logStart = readLog().length
    const imports = [TRACING, ...(opts.imports ?? [])].flatMap((m) => ['--import', m])
    child = spawn(process.execPath, [...imports, opts.entry === 'worker' ? WORKER : SERVER], {
      cwd: ROOT,
      env: { ...process.env, ...opts.env, HOST: '127.0.0.1', PORT: String(opts.port) },
      stdio: ['ignore', fd, fd]
    })
    closeSync(fd)
    const started = child
    const killWithUs = (): void => { started.kill('SIGKILL') }
    process.once('exit', killWithUs)
    started.once('exit', (code, signal) => {
      process.removeListener('exit', killWithUs)
      // an exit while starting is start()'s failure; after it, one nobody asked for is a crash
      if (!killing && ready) for (const l of crashListeners) l({ code, signal, log: logTail(8) })
    })
    const deadline = Date.now() + (opts.startTimeoutMs ?? 90_000)
    for (;;) {
      if (!running()) throw new Error(`${opts.name} exited while starting:\n${logTail()}`)
      if (opts.entry === 'worker') {
        if (readLog().slice(logStart).includes('delivery worker started')) { ready = true; return }
      } else {
        try {
          const res = await request(`${url}/health/ready`, { headersTimeout: 2000, bodyTimeout: 2000 })
          await res.body.dump()
          if (res.statusCode === 200) {
            ready = true
            return
          }
        } catch {}
      }
      if (Date.now() > deadline) {
        started.kill('SIGKILL')
        throw new Error(`${opts.name} not ready after ${(opts.startTimeoutMs ?? 90_000) / 1000} s:\n${logTail()}`)
      }
      await sleep(200)
    }
  }
}
