import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import type { FastifyInstance } from 'fastify'
import type { TestLike } from './helper.js'
import { entryCommand, ROOT } from './process/helper.js'

/**
 * A real worker-only gateway process (src/worker.ts) with this environment added to the test's, started when it
 * says so on stdout; SIGKILLed at teardown if still running.
 */
export async function startWorkerProcess (t: TestLike, env: Record<string, string | undefined>): Promise<{ child: ChildProcess, exited: Promise<unknown> }> {
  const child = spawn(process.execPath, entryCommand('worker'), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
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

/** A worker process against the test gateway's PostgreSQL database and Redis prefix, quick settings, `env` on top. */
export async function startWorker (t: TestLike, app: FastifyInstance, env: Record<string, string> = {}): Promise<{ child: ChildProcess, exited: Promise<unknown> }> {
  return await startWorkerProcess(t, {
    DATABASE_URL: app.config.databaseUrl,
    REDIS_URL: app.config.redisUrl,
    QUEUE_PREFIX: app.config.queuePrefix,
    LOG_LEVEL: 'info',
    WORKER_CONCURRENCY: '8',
    DELIVERY_LOCK_MS: '2000',
    DELIVERY_ORDER_WAIT_MS: '50',
    CONNECTORS_FILE: 'test/fixtures/no-connectors.json',
    MAX_EVENT_LOOP_DELAY_MS: '0',
    ...env
  })
}
