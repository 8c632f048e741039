import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import type { FastifyInstance } from 'fastify'
import { entryCommand, ROOT } from './process/helper.js'

/**
 * A worker-only process (src/worker.ts) against the test's PostgreSQL database and Redis prefix, run through
 * the TypeScript loader tap runs this file with.
 */
export async function startWorker (t: Tap.Test, app: FastifyInstance, env: Record<string, string> = {}): Promise<{ child: ChildProcess, exited: Promise<unknown> }> {
  const child = spawn(process.execPath, entryCommand('worker'), {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
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
    }
  })
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
