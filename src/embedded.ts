import { join, resolve } from 'node:path'
import { redisConfigured, type Config } from './config.js'
import type { LocalServices } from './dev/local-services.js'
import type { RunningSimulators } from './simulators/index.js'
import type { DevIdentityProvider } from './dev/identity-provider.js'
import { randomBytes } from 'node:crypto'
import type { DevTsa } from './dev/tsa.js'

// The development pieces (local services, simulators, the TSA, the OpenID provider) are imported only when they
// run: a production gateway, with its services configured, does not carry oidc-provider, pkijs and the simulators
// in its memory (≈ 12 MB of heap; issue 19).

/** The development time-stamping authority's port: SIMULATOR_BASE_PORT + this. */
export const DEV_TSA_PORT_OFFSET = 40

/** Environment variable names under which the simulators' URLs reach `config/connectors.json`. */
export const SIMULATOR_VARS: Record<string, string> = {
  citizen: 'SIM_CITIZEN_URL',
  'land-01': 'SIM_LAND_01_URL',
  'land-79': 'SIM_LAND_79_URL',
  tax: 'SIM_TAX_URL',
  insurance: 'SIM_INSURANCE_URL',
  dvcqg: 'SIM_DVCQG_URL',
  'civil-status': 'SIM_CIVIL_STATUS_URL',
  'population-pin': 'SIM_POPULATION_PIN_URL',
  residence: 'SIM_RESIDENCE_URL',
  'social-insurance': 'SIM_SOCIAL_INSURANCE_URL'
}

/** The development identity provider listens at SIMULATOR_BASE_PORT + this offset (18141 by default). */
export const DEV_IDP_PORT_OFFSET = 41

export interface Embedded { config: Config, stop (): Promise<void> }

/**
 * The embedded default: without REDIS_URL / DATABASE_URL, a private Redis and PostgreSQL under
 * DATA_DIR, and the simulators of the national systems on fixed loopback ports; returns the config
 * pointed at them and the owner that stops them all.
 */
export async function startEmbedded (config: Config, log: (msg: string) => void): Promise<Embedded> {
  const embedServices = !redisConfigured(config) || config.databaseUrl === undefined
  const runSims = config.simulators === 'on' || (config.simulators === 'auto' && embedServices)
  let services: LocalServices | undefined
  let sims: RunningSimulators | undefined
  let tsa: DevTsa | undefined
  let idp: DevIdentityProvider | undefined
  const stop = async (): Promise<void> => {
    await idp?.close()
    await tsa?.close()
    await sims?.close()
    await services?.stop()
  }
  try {
    let next = config
    if (embedServices) {
      log(`starting private Redis and PostgreSQL under ${resolve(config.dataDir)}`)
      const { startLocalServices } = await import('./dev/local-services.js')
      services = await startLocalServices({ dir: join(config.dataDir, 'services'), log })
      next = {
        ...next,
        redisUrl: redisConfigured(config) ? config.redisUrl : services.redisUrl,
        databaseUrl: config.databaseUrl ?? services.databaseUrl
      }
    }
    if (runSims) {
      const { startSimulators } = await import('./simulators/index.js')
      sims = await startSimulators({ host: '127.0.0.1', basePort: config.simulatorBasePort })
      const vars: Record<string, string> = { ...config.vars }
      for (const [name, url] of Object.entries(sims.urls)) vars[SIMULATOR_VARS[name]] = url
      next = { ...next, vars }
      log(`simulators listening: ${Object.entries(sims.urls).map(([k, v]) => `${k}=${v}`).join(' ')}`)
      if (config.audit.checkpoints.tsa === undefined) {
        // A development TSA time-stamps the audit checkpoints; its key and certificate stay under DATA_DIR.
        const dir = join(config.dataDir, 'dev-tsa')
        const [{ startDevTsa }, { storedTsaIdentity }] = await Promise.all([import('./dev/tsa.js'), import('./dev/tsa-cert.js')])
        tsa = await startDevTsa({ identity: await storedTsaIdentity(dir), host: '127.0.0.1', port: config.simulatorBasePort + DEV_TSA_PORT_OFFSET })
        next = { ...next, audit: { ...next.audit, checkpoints: { ...next.audit.checkpoints, tsa: { url: tsa.url, certFile: join(dir, 'tsa-cert.pem') } } } }
        log(`development time-stamping authority listening: ${tsa.url}`)
      }
    }
    const runIdp = config.console.devIdp === 'on' || (config.console.devIdp === 'auto' && runSims && config.console.oidc === undefined)
    if (runIdp) {
      const { startDevIdentityProvider, devPeople } = await import('./dev/identity-provider.js')
      const people = devPeople(config.console.devPasswords)
      const clientSecret = randomBytes(24).toString('base64url')
      const clientId = config.console.oidc?.clientId ?? 'lienthong-console'
      idp = await startDevIdentityProvider({ port: config.simulatorBasePort + DEV_IDP_PORT_OFFSET, consoleUrl: config.console.publicUrl, clientId, clientSecret, people })
      next = { ...next, console: { ...next.console, oidc: { issuer: idp.issuer, clientId, clientSecret, scopes: 'openid profile roles' } } }
      log(`development identity provider at ${idp.issuer}: ${people.length > 0
        ? `people ${people.map((p) => p.username).join(', ')}; console at ${config.console.publicUrl}/console/`
        : 'nobody can sign in (set LIENTHONG_DEV_ADMIN_PASSWORD and LIENTHONG_DEV_AUDITOR_PASSWORD)'}`)
    }
    return { config: next, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
