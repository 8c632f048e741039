import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestLike } from '../helper.js'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** Newest modification time of the files under these folders (ms). */
function newest (dirs: string[]): number {
  let latest = 0
  for (const dir of dirs) {
    for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs)
    }
  }
  return latest
}

/**
 * The arguments that run one of the process entries (`server`, `worker`, `migrate`): the built file when the build
 * is newer than the sources (npm test builds first), else the TypeScript source through tap's loader.
 */
export function entryCommand (entry: 'server' | 'worker' | 'migrate'): string[] {
  const built = join(ROOT, `dist/src/${entry}.js`)
  if (existsSync(built) && statSync(built).mtimeMs >= newest(['src', 'connectors'])) return [built]
  return [...process.execArgv.filter((a) => a.includes('@tapjs/typescript') || a === '--enable-source-maps'), `src/${entry}.ts`]
}

/** The environment of a child process: the test's own settings only, on top of PATH and HOME. */
export function childEnv (env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', OTEL_SDK_DISABLED: 'true', MAX_EVENT_LOOP_DELAY_MS: '0', ...env }
}

export interface Ran { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }

/** Runs an entry until it exits; fails (kills it) when it is still running after `deadlineMs`. */
export async function runToExit (entry: 'server' | 'worker' | 'migrate', env: Record<string, string | undefined>,
  deadlineMs = 60_000, args: string[] = []): Promise<Ran> {
  const child = spawn(process.execPath, [...entryCommand(entry), ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs)
  const [code, signal] = await once(child, 'exit') as [number | null, NodeJS.Signals | null]
  clearTimeout(timer)
  return { code, signal, stdout, stderr }
}

export interface Running {
  child: ChildProcess
  exited: Promise<[number | null, NodeJS.Signals | null]>
  /** Everything the process wrote so far. */
  output: () => string
}

/**
 * Starts an entry and resolves once a line of its output contains `ready` (the listening or started line);
 * killed at teardown when still running.
 */
export async function startEntry (t: TestLike, entry: 'server' | 'worker', env: Record<string, string | undefined>,
  ready: string | RegExp, deadlineMs = 90_000): Promise<Running> {
  const child = spawn(process.execPath, entryCommand(entry), { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  let output = ''
  const seen = (): boolean => typeof ready === 'string' ? output.includes(ready) : ready.test(output)
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start within ${deadlineMs} ms: ${output}`)), deadlineMs)
    const onData = (d: Buffer): void => {
      output += d.toString()
      if (seen()) { clearTimeout(timer); resolve() }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    exited.then(() => { clearTimeout(timer); reject(new Error(`${entry} exited with ${String(child.exitCode)}: ${output}`)) }, reject)
  })
  return { child, exited, output: () => output }
}
