import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { openSync, closeSync, readFileSync } from 'node:fs'
import { track } from './proc.js'

export interface ScriptResult<T> { ok: boolean, exitCode: number | null, ms: number, result?: T, summary?: string, error?: string }

/**
 * Runs one of the standalone bench scripts (bench/deliveries.ts, bench/admin-units.ts) in its own process; they
 * print one pretty JSON object, then a one-line markdown summary. Killed after `timeoutMs`.
 */
export async function runScript<T> (file: string, opts: { execArgv?: string[], env?: Record<string, string | undefined>, timeoutMs: number, logFile: string }): Promise<ScriptResult<T>> {
  const started = performance.now()
  const fd = openSync(opts.logFile, 'a')
  const proc = track(spawn(process.execPath, [...(opts.execArgv ?? []), file], { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', fd] }))
  closeSync(fd)
  let out = ''
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  let timedOut = false
  const timer = setTimeout(() => { timedOut = true; proc.kill('SIGKILL') }, opts.timeoutMs)
  const [exitCode] = await once(proc, 'exit') as [number | null]
  clearTimeout(timer)
  const ms = Math.round(performance.now() - started)
  const lines = out.split('\n')
  const from = lines.indexOf('{')
  const to = lines.lastIndexOf('}')
  const summary = lines.filter((l) => l.startsWith('|')).pop()
  let result: T | undefined
  let error: string | undefined = timedOut ? `killed after ${opts.timeoutMs} ms` : undefined
  try {
    if (from >= 0 && to > from) result = JSON.parse(lines.slice(from, to + 1).join('\n')) as T
  } catch (err) {
    error ??= `unreadable output: ${(err as Error).message}`
  }
  if (result === undefined) error ??= `no result (exit ${exitCode}); see ${opts.logFile}`
  const ok = exitCode === 0 && result !== undefined
  // the log is in the run's temporary folder, gone at the end: a failure carries its last lines into the report
  if (!ok) error = `${error ?? `exit ${exitCode}`}; the log ends with: ${logTail(opts.logFile)}`
  return { ok, exitCode, ms, result, summary, error }
}

/** The last lines of a log (at most 2,000 characters), on one line. */
function logTail (file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000).trim().split('\n').slice(-12).join(' ⏎ ')
  } catch (err) {
    return `(unreadable: ${(err as Error).message})`
  }
}
