import { setTimeout as sleep } from 'node:timers/promises'
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { startEmbedded, type Embedded } from './embedded.js'
import { failureReason, sayer, startupConfig } from './lifecycle.js'

const say = sayer('lienthong')

/**
 * The gateway process: config → embedded services (when not configured) → app → listen → graceful close.
 * Resolves with the exit code of a failed start (the reason said on stderr); undefined once listening.
 */
async function main (): Promise<number | undefined> {
  let config
  try {
    config = startupConfig('gateway')
  } catch (err) {
    say(`failed to start: ${failureReason(err)}`)
    return 1
  }
  const cfg = config
  let embedded: Embedded | undefined
  let app: Awaited<ReturnType<typeof buildApp>> | undefined
  const grace = closeWithGrace({ delay: cfg.drainDelayMs + cfg.shutdownTimeoutMs }, async ({ signal, err }) => {
    if (err !== undefined) app?.log.error({ err }, 'shutting down after an error')
    else app?.log.info({ signal }, 'shutting down')
    // SIGTERM (an orchestrator's stop): readiness false first, serving on while load balancers take us out.
    if (signal === 'SIGTERM' && cfg.drainDelayMs > 0 && app !== undefined) {
      app.drain.start()
      app.log.info({ drainDelayMs: cfg.drainDelayMs }, 'draining: readiness is false, still serving')
      await sleep(cfg.drainDelayMs)
    }
    await app?.close()
    await embedded?.stop()
  })
  try {
    embedded = await startEmbedded(cfg, say)
    app = await buildApp(embedded.config)
    await app.listen({ port: cfg.port, host: cfg.host })
    return undefined
  } catch (err) {
    // close-with-grace would turn the empty event loop into a normal exit (code 0): it goes first.
    grace.uninstall()
    say(`failed to start: ${failureReason(err)}`)
    await app?.close().catch(() => {})
    await embedded?.stop().catch(() => {})
    return 1
  }
}

const code = await main()
if (code !== undefined) process.exit(code)
