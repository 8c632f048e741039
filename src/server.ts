import closeWithGrace from 'close-with-grace'
import { loadConfig } from './config.js'
import { buildApp } from './app.js'
import { startEmbedded } from './embedded.js'

/** The gateway process: config → embedded services (when not configured) → app → listen → graceful close. */
async function main (): Promise<void> {
  const config = loadConfig()
  const say = (msg: string): void => { process.stderr.write(`[lienthong] ${msg}\n`) }
  const embedded = await startEmbedded(config, say)
  let app: Awaited<ReturnType<typeof buildApp>> | undefined
  closeWithGrace({ delay: config.shutdownTimeoutMs }, async ({ signal, err }) => {
    if (err !== undefined) app?.log.error({ err }, 'shutting down after an error')
    else app?.log.info({ signal }, 'shutting down')
    await app?.close()
    await embedded.stop()
  })
  try {
    app = await buildApp(embedded.config)
    await app.listen({ port: config.port, host: config.host })
  } catch (err) {
    say(`failed to start: ${(err as Error).message}`)
    await app?.close().catch(() => {})
    await embedded.stop()
    process.exitCode = 1
  }
}

await main()
