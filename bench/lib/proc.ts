import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { openSync, closeSync, readFileSync, readdirSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'

/** A bench child: its own Node.js process, reporting `{ ready: ... }` over IPC once it listens. */
export interface Child<T> { name: string, proc: ChildProcess, pid: number, info: T, logFile: string }

const live = new Set<ChildProcess>()
let stopping = false

/** Tracks a child so that `stopAll` / `killAllNow` end it too; one started while stopping is killed at once. */
export function track (proc: ChildProcess): ChildProcess {
  if (stopping) proc.kill('SIGKILL')
  live.add(proc)
  proc.once('exit', () => live.delete(proc))
  return proc
}

export interface StartOptions {
  /** Node.js flags (`--import`, `--cpu-prof`, ...). */
  execArgv?: string[]
  args?: string[]
  env?: Record<string, string | undefined>
  /** stdout + stderr of the child go here. */
  logFile: string
  timeoutMs?: number
}

/** Forks `script`, waits for its `{ ready }` message (or its death / a timeout), and tracks it for `stopAll`. */
export async function start<T> (name: string, script: string, opts: StartOptions): Promise<Child<T>> {
  const fd = openSync(opts.logFile, 'a')
  const proc = fork(script, opts.args ?? [], {
    execArgv: opts.execArgv ?? [],
    env: opts.env ?? process.env,
    stdio: ['ignore', fd, fd, 'ipc']
  })
  closeSync(fd)
  track(proc)
  const timeoutMs = opts.timeoutMs ?? 60_000
  let timer: NodeJS.Timeout | undefined
  try {
    const info = await new Promise<T>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${name} not ready after ${timeoutMs} ms (see ${opts.logFile})`)), timeoutMs)
      proc.once('message', (m: { ready?: T, error?: string }) => {
        if (m.ready !== undefined) resolve(m.ready)
        else reject(new Error(`${name} failed: ${m.error ?? 'unknown'} (see ${opts.logFile})`))
      })
      proc.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready (see ${opts.logFile})`)))
    })
    return { name, proc, pid: proc.pid as number, info, logFile: opts.logFile }
  } catch (err) {
    await stop(proc)
    // the log is in a temporary folder removed at the end: keep its last lines with the error
    let tail = ''
    try { tail = readFileSync(opts.logFile, 'utf8').trim().split('\n').slice(-6).join('\n') } catch {}
    throw new Error(`${(err as Error).message}${tail !== '' ? `\n${tail}` : ''}`)
  } finally {
    clearTimeout(timer)
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stop (proc: ChildProcess, graceMs = 20_000): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode
  const exited = once(proc, 'exit')
  proc.kill('SIGTERM')
  const killer = setTimeout(() => proc.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(killer)
  return proc.exitCode
}

/** Stops every child still running (on the way out, whatever happened). */
export async function stopAll (): Promise<void> {
  stopping = true
  await Promise.allSettled([...live].map(async (p) => await stop(p, 5000)))
}

/** For a signal or a crash: kill what is left without waiting. */
export function killAllNow (): void {
  stopping = true
  for (const p of live) p.kill('SIGKILL')
}

const CLK_TCK = 100

/** User + system CPU time of a process, in ms (Linux /proc). */
export function cpuMs (pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 1000 / CLK_TCK
}

/** CPU time of several processes (those gone meanwhile count as 0), in ms. */
export function cpuMsOf (pids: number[]): number {
  let sum = 0
  for (const pid of pids) { try { sum += cpuMs(pid) } catch {} }
  return sum
}

/** Every process below `root` (Linux /proc), except those below one of `except`. */
export function descendants (root: number, except: number[] = []): number[] {
  const children = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const ppid = Number(readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1].split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)])
    } catch {}
  }
  const out: number[] = []
  const visit = (pid: number): void => {
    for (const c of children.get(pid) ?? []) {
      if (except.includes(c)) continue
      out.push(c)
      visit(c)
    }
  }
  visit(root)
  return out
}

/** VmRSS and VmHWM (peak) of a process, in MB (Linux /proc). */
export function memoryMB (pid: number): { rss: number, peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0)
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) }
}

/** Samples the RSS of `pid` every 200 ms until the returned function is called; it returns the highest seen. */
export function sampleRss (pid: number): () => number {
  let max = 0
  const take = (): void => { try { max = Math.max(max, memoryMB(pid).rss) } catch {} }
  take()
  const timer = setInterval(take, 200)
  return () => {
    clearInterval(timer)
    take()
    return max
  }
}

export const sleep = async (ms: number): Promise<void> => { await delay(ms) }

const MB = 1024 * 1024

/** A bench child's `process.memoryUsage()` in MB (see lib/child.ts); undefined if it does not answer within 2 s. */
export async function askMemory (proc: ChildProcess): Promise<Record<string, number> | undefined> {
  return await new Promise((resolve) => {
    const timer = setTimeout(() => { proc.off('message', on); resolve(undefined) }, 2000)
    const on = (m: { memory?: NodeJS.MemoryUsage }): void => {
      if (m.memory === undefined) return
      clearTimeout(timer)
      proc.off('message', on)
      resolve(Object.fromEntries(Object.entries(m.memory).map(([k, v]) => [k, Math.round(v / MB)])))
    }
    proc.on('message', on)
    proc.send('memory')
  })
}
