import closeWithGrace from 'close-with-grace'
import { loadConfig } from './config.js'
import { buildApp } from './app.js'

/**
 * The worker-only process (`npm run worker`): the delivery workers and the reconciler, no HTTP API. It uses the
 * gateway's Redis, PostgreSQL and connector instances (REDIS_URL and DATABASE_URL are required: a worker must
 * share them with the gateway, never start private ones). On SIGTERM/SIGINT it finishes the jobs in hand.
 */
async function main (): Promise<void> {
  const config = loadConfig()
  const say = (msg: string): void => { process.stderr.write(`[lienthong-worker] ${msg}\n`) }
  if (config.redisUrl === undefined || config.databaseUrl === undefined) {
    say('REDIS_URL and DATABASE_URL must point at the gateway\'s Redis and PostgreSQL')
    process.exitCode = 1
    return
  }
  let app: Awaited<ReturnType<typeof buildApp>> | undefined
  closeWithGrace({ delay: config.shutdownTimeoutMs }, async ({ signal, err }) => {
    if (err !== undefined) app?.log.error({ err }, 'worker shutting down after an error')
    else app?.log.info({ signal }, 'worker shutting down')
    await app?.close()
  })
  try {
    // connectors: [] — the gateway seeds the instances; the worker only reads them from PostgreSQL.
    app = await buildApp(config, { http: false, workers: true, connectors: [] })
    await app.ready()
    app.log.info({ concurrency: config.workerConcurrency, prefix: config.queuePrefix }, 'delivery worker started')
    // Log lines may be buffered (LOG_BUFFER_BYTES): the start line is written now, for supervisors waiting for it.
    ;(app.log as { flush?: () => void }).flush?.()
  } catch (err) {
    say(`failed to start: ${(err as Error).message}`)
    await app?.close().catch(() => {})
    process.exitCode = 1
  }
}

await main()
