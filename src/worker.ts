import closeWithGrace from 'close-with-grace'
import { redisConfigured } from './config.js'
import { buildApp } from './app.js'
import { failureReason, sayer, startupConfig, StartRefused } from './lifecycle.js'

const say = sayer('lienthong-worker')

/**
 * The worker-only process (`npm run worker`): the delivery workers and the reconciler, no HTTP API. It uses the
 * gateway's Redis, PostgreSQL and connector instances (Redis and DATABASE_URL are required: a worker must share
 * them with the gateway, never start private ones). On SIGTERM/SIGINT it takes no new job and finishes the jobs
 * in hand. Resolves with the exit code of a failed start (the reason said on stderr).
 */
async function main (): Promise<number | undefined> {
  let config
  try {
    config = startupConfig('worker')
    if (!redisConfigured(config) || config.databaseUrl === undefined) {
      throw new StartRefused('REDIS_URL (or REDIS_SENTINELS) and DATABASE_URL must point at the gateway\'s Redis and PostgreSQL')
    }
  } catch (err) {
    say(`failed to start: ${failureReason(err)}`)
    return 1
  }
  const cfg = config
  let app: Awaited<ReturnType<typeof buildApp>> | undefined
  const grace = closeWithGrace({ delay: cfg.shutdownTimeoutMs }, async ({ signal, err }) => {
    if (err !== undefined) app?.log.error({ err }, 'worker shutting down after an error')
    else app?.log.info({ signal }, 'worker shutting down')
    await app?.close()
  })
  try {
    // connectors: [] — the gateway seeds the instances; the worker only reads them from PostgreSQL.
    app = await buildApp(cfg, { http: false, workers: true, connectors: [] })
    await app.ready()
    app.log.info({ concurrency: cfg.workerConcurrency, prefix: cfg.queuePrefix }, 'delivery worker started')
    // Log lines may be buffered (LOG_BUFFER_BYTES): the start line is written now, for supervisors waiting for it.
    ;(app.log as { flush?: () => void }).flush?.()
    return undefined
  } catch (err) {
    grace.uninstall()
    say(`failed to start: ${failureReason(err)}`)
    await app?.close().catch(() => {})
    return 1
  }
}

const code = await main()
if (code !== undefined) process.exit(code)
