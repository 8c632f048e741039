import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { describeFailure, fileSize } from './log-tail.js'
import { findOnPath } from './find-binaries.js'
import type { RunAsUser } from './run-as.js'

export interface ExitStatus {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface SpawnServiceOptions {
  /** Binary name for messages, e.g. 'redis-server'. */
  name: string
  command: string
  args: string[]
  /** stdout and stderr are appended here, never to our stdout. */
  logFile: string
  cwd: string
  runAs?: RunAsUser
  /** Sent to the child by the kernel if we die (Linux, via setpriv --pdeathsig) and on our 'exit'. */
  deathSignal: NodeJS.Signals
  /** Keep our event loop alive while it runs (tools we wait for); servers do not. Default false. */
  holdsProcessOpen?: boolean
  /**
   * Run in a process group of its own, led by the child (servers). A Ctrl-C in a terminal signals the whole
   * foreground group: a server in ours would stop at the same moment as the gateway, under its feet, instead of
   * after it (its owner stops it). Default false.
   */
  ownProcessGroup?: boolean
}

/** A spawned server or tool whose output goes to a log file. */
export class ServiceProcess {
  readonly name: string
  readonly logFile: string
  readonly child: ChildProcess
  /** Size of the log before this run: the tail quoted in errors starts here. */
  readonly logOffset: number
  readonly exited: Promise<ExitStatus>
  status: ExitStatus | undefined
  spawnError: Error | undefined
  readonly #deathSignal: NodeJS.Signals
  readonly #ownGroup: boolean
  readonly #onParentExit: () => void

  constructor (opts: SpawnServiceOptions) {
    this.name = opts.name
    this.logFile = opts.logFile
    this.#deathSignal = opts.deathSignal
    this.#ownGroup = opts.ownProcessGroup === true
    this.logOffset = fileSize(opts.logFile)
    const fd = openSync(opts.logFile, 'a', 0o644)
    let command = opts.command
    let args = opts.args
    // Linux: have the kernel signal the child when we die, even by SIGKILL. setpriv runs after the
    // uid switch (a credential change would clear the setting) and execs the server, keeping its PID.
    const setpriv = process.platform === 'linux' ? findOnPath('setpriv') : undefined
    if (setpriv !== undefined) {
      args = ['--pdeathsig', opts.deathSignal, '--', command, ...args]
      command = setpriv
    }
    try {
      this.child = spawn(command, args, {
        cwd: opts.cwd,
        stdio: ['ignore', fd, fd],
        uid: opts.runAs?.uid,
        gid: opts.runAs?.gid,
        env: childEnv(),
        detached: opts.ownProcessGroup === true
      })
    } finally {
      closeSync(fd)
    }
    // servers do not keep us alive by themselves; the 'exit' hook below takes them down with us
    if (opts.holdsProcessOpen !== true) this.child.unref()
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.status ??= { code: null, signal: null }
        this.spawnError = err
        resolve(this.status)
      })
      this.child.once('exit', (code, signal) => {
        this.status = { code, signal }
        resolve(this.status)
      })
    })
    this.#onParentExit = () => { this.kill(this.#deathSignal) }
    process.once('exit', this.#onParentExit)
    void this.exited.then(() => process.removeListener('exit', this.#onParentExit))
  }

  /**
   * The process group to signal to reach every process of the server (PostgreSQL's backends included): the
   * child's pid when it leads a group of its own (`ownProcessGroup`), else undefined.
   */
  get processGroup (): number | undefined {
    return this.#ownGroup && !this.hasExited ? this.child.pid : undefined
  }

  get hasExited (): boolean {
    return this.status !== undefined
  }

  kill (signal: NodeJS.Signals): void {
    if (this.hasExited || this.child.pid === undefined) return
    try {
      process.kill(this.child.pid, signal)
    } catch {}
  }

  /** An Error naming the binary, the reason and quoting the last lines of its log. */
  failure (reason: string): Error {
    const spawnNote = this.spawnError !== undefined ? ` (${this.spawnError.message})` : ''
    return new Error(describeFailure(`${this.name} ${reason}${spawnNote}`, this.logFile, this.logOffset))
  }

  /** Describes how the process ended, e.g. 'exited with code 1'. */
  exitReason (): string {
    const s = this.status
    if (s === undefined) return 'is still running'
    if (this.spawnError !== undefined) return 'could not be started'
    return s.signal !== null ? `was killed by ${s.signal}` : `exited with code ${String(s.code)}`
  }

  /** Sends `signal`, waits up to `timeoutMs` for the exit, then SIGKILL. */
  async stop (signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
    await this.stopInSteps([{ signal, timeoutMs }])
  }

  /** Sends each signal in turn, waiting up to its time for the exit, then SIGKILL. */
  async stopInSteps (steps: Array<{ signal: NodeJS.Signals, timeoutMs: number }>): Promise<void> {
    for (const { signal, timeoutMs } of steps) {
      if (this.hasExited) return
      this.kill(signal)
      let timer: NodeJS.Timeout | undefined
      const timedOut = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), timeoutMs) })
      const tooSlow = await Promise.race([this.exited.then(() => false), timedOut])
      clearTimeout(timer)
      if (!tooSlow) return
    }
    this.kill('SIGKILL')
    await this.exited
  }
}

/** Our environment minus the libpq variables that could redirect the servers' tools elsewhere. */
function childEnv (): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PG')) env[key] = value
  }
  return env
}

/** Runs a tool to completion (e.g. initdb); throws with its log tail when it fails. */
export async function runTool (opts: Omit<SpawnServiceOptions, 'deathSignal'>): Promise<void> {
  const proc = new ServiceProcess({ ...opts, deathSignal: 'SIGTERM', holdsProcessOpen: true })
  const status = await proc.exited
  if (status.code !== 0) throw proc.failure(`failed: it ${proc.exitReason()}`)
}
