import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestLike } from './helper.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

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

/** `node dist/src/worker.js` when the build is newer than the sources (npm test builds first), else the TS loader. */
function workerCommand (): string[] {
  const built = join(ROOT, 'dist/src/worker.js')
  if (existsSync(built) && statSync(built).mtimeMs >= newest(['src', 'connectors'])) return [built]
  return [...process.execArgv.filter((a) => a.includes('@tapjs/typescript') || a === '--enable-source-maps'), 'src/worker.ts']
}

/**
 * A real worker-only gateway process (src/worker.ts) with this environment added to the test's, started when it
 * says so on stdout; SIGKILLed at teardown if still running.
 */
export async function startWorkerProcess (t: TestLike, env: Record<string, string | undefined>): Promise<{ child: ChildProcess, exited: Promise<unknown> }> {
  const child = spawn(process.execPath, workerCommand(), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  const exited = once(child, 'exit')
  let output = ''
  child.stderr?.on('data', (d: Buffer) => { output += d.toString() })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${output}`)), 90_000)
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('delivery worker started')) { clearTimeout(timer); resolve() }
    })
    exited.then(() => { clearTimeout(timer); reject(new Error(`worker exited with ${String(child.exitCode)}: ${output}`)) }, reject)
  })
  return { child, exited }
}
