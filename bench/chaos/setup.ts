import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { SIMULATOR_VARS } from '../../src/embedded.js'
import { freePort } from '../../src/dev/free-port.js'
import type { RunningSimulators } from '../../src/simulators/index.js'
import { Balancer, Token } from './client.js'
import { gatewayProcess, type GatewayProcess } from './gateway-process.js'
import type { Stack } from './stack.js'

export const ADMIN = { id: 'chaos-admin', secret: randomBytes(24).toString('base64url') }

/**
 * The environment every gateway of a run shares, as an operator would set it for several instances on one
 * database: one SECRETS_KEY and AUDIT_KEY, one queue prefix, the simulators' URLs for config/connectors.json, the
 * bootstrap admin. Deliveries are retried for long enough to outlast the outages, and the reconciler looks every
 * few seconds (the defaults are minutes: production outages last longer than a test run).
 */
export function sharedEnv (stack: Stack, sims: RunningSimulators, overrides: Record<string, string> = {}): Record<string, string> {
  const vars = Object.fromEntries(Object.entries(sims.urls).map(([id, url]) => [SIMULATOR_VARS[id], url]))
  return {
    REDIS_URL: stack.redisUrl,
    DATABASE_URL: stack.databaseUrl,
    QUEUE_PREFIX: 'chaos',
    LOG_LEVEL: 'warn',
    SIMULATORS: 'off',
    CONNECTORS_FILE: 'config/connectors.json',
    LIENTHONG_ADMIN_ID: ADMIN.id,
    LIENTHONG_ADMIN_SECRET: ADMIN.secret,
    SECRETS_KEY: `chaos:${randomBytes(32).toString('base64')}`,
    AUDIT_KEY: randomBytes(32).toString('base64url'),
    DELIVERY_ATTEMPTS: '100',
    DELIVERY_BACKOFF_MS: '500',
    DELIVERY_BACKOFF_MAX_MS: '5000',
    DELIVERY_LOCK_MS: '5000',
    DELIVERY_RECONCILE_INTERVAL_MS: '3000',
    DELIVERY_RECONCILE_GRACE_MS: '5000',
    HEALTH_PROBE_INTERVAL_MS: '2000',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...vars,
    ...overrides
  }
}

export async function gateways (dir: string, names: string[], env: Record<string, string>, imports: string[] = []): Promise<GatewayProcess[]> {
  const list: GatewayProcess[] = []
  for (const name of names) {
    list.push(gatewayProcess({ name, port: await freePort(), env: { ...env, DATA_DIR: join(dir, `data-${name}`) }, logFile: join(dir, `${name}.log`), imports }))
  }
  return list
}

/** A `system` client granted every service, created through the admin API; its token refreshes itself. */
export async function systemClient (lb: Balancer): Promise<Token> {
  const admin = new Token(lb, ADMIN.id, ADMIN.secret)
  const created = await lb.send('POST', '/v1/admin/clients', { authorization: await admin.header() }, {
    id: 'chaos-system',
    name: 'Chaos and soak load',
    roles: ['system'],
    grants: ['citizen.lookup', 'land.parcel.lookup', 'tax.taxpayer.lookup', 'insurance.coverage.lookup', 'dossier.sync', 'dossier.progress'],
    agencies: ['000.00.01.H22'] // the agency of the load's dossiers (bodies.ts)
  })
  if (created.status !== 201) throw new Error(`creating the load client: ${created.status} ${JSON.stringify(created.body)}`)
  return new Token(lb, 'chaos-system', String(created.body.secret))
}
