import { loadConfig } from './config.js'

/**
 * The image's HEALTHCHECK: exit 0 when this container's gateway answers ready, 1 otherwise (within 2.5 s).
 * Asks the loopback address unless the gateway listens on one given address only.
 */
async function main (): Promise<number> {
  const { host, port } = loadConfig()
  const target = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host
  try {
    const res = await fetch(`http://${target}:${port}/health/ready`, { signal: AbortSignal.timeout(2500) })
    return res.status === 200 ? 0 : 1
  } catch {
    return 1
  }
}

process.exit(await main())
