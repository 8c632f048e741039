import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { start, type Child } from './proc.js'
import type { Services } from './services.js'

const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url))
/** Compiled next to this file: dist/bench/lib → dist/bench, dist/src. */
export const scripts = {
  simulator: here('../simulator.js'),
  proxy: here('../baseline-proxy.js'),
  bareFastify: here('../bare-fastify.js'),
  gateway: here('../gateway.js'),
  tracing: here('../../src/tracing.js'),
  deliveries: here('../deliveries.js'),
  adminUnits: here('../admin-units.js'),
  checkpoints: here('../checkpoints.js'),
  procedures: here('../procedures.js'),
  events: here('../events.js')
}

/** The shipped declarative connector of citizen.lookup (config/connectors.json), alone in a file under `dir`. */
export function citizenConnectorsFile (dir: string): string {
  const all = JSON.parse(readFileSync('config/connectors.json', 'utf8')) as { connectors: Array<{ services: string[] }> }
  const connectors = all.connectors.filter((c) => c.services.includes('citizen.lookup'))
  if (connectors.length === 0) throw new Error('config/connectors.json has no connector for citizen.lookup')
  const file = join(dir, 'connectors.json')
  writeFileSync(file, JSON.stringify({ connectors }, null, 2))
  return file
}

export interface GatewayOptions {
  name: string
  /** OpenTelemetry SDK loaded (`--import dist/src/tracing.js`), exporting by OTLP to `otlpUrl` when given. */
  tracing: boolean
  otlpUrl?: string
  /** The PostgreSQL audit trail (false: the no-op sink). */
  audit: boolean
  /** OTEL_TRACES_SAMPLER (default: the gateway's, parentbased_traceidratio at 0.1). */
  sampler?: string
  /** Write a V8 CPU profile here when the process exits (`--cpu-prof`). */
  cpuProfile?: { dir: string, name: string }
  /** Another build's `dist` folder to run the gateway of (a baseline to compare with; default: this build). */
  dist?: string
}

export interface Gateway { child: Child<{ url: string, token: string, refusedAtStart: number }>, databaseUrl: string, logBytes: () => number }

/** One gateway process on its own fresh database, configured by environment like `npm start`. */
export async function startGateway (
  ctx: { dir: string, services: Services, connectorsFile: string, simUrl: string, logLevel: string },
  opts: GatewayOptions
): Promise<Gateway> {
  const databaseUrl = await ctx.services.database(`bench_${opts.name.replace(/\W/g, '_')}`)
  const env: Record<string, string | undefined> = {
    ...process.env,
    HOST: '127.0.0.1',
    LOG_LEVEL: ctx.logLevel,
    DATA_DIR: join(ctx.dir, `data-${opts.name}`),
    REDIS_URL: ctx.services.redisUrl,
    DATABASE_URL: databaseUrl,
    QUEUE_PREFIX: `bench-${opts.name}-${process.pid}`,
    CONNECTORS_FILE: ctx.connectorsFile,
    SIMULATORS: 'off',
    SIM_CITIZEN_URL: ctx.simUrl,
    AUDIT_KEY: 'bench-audit-key-0123456789abcdef0123456789',
    // The per-client limit is an admin's policy for a national client: high here, while the check (a Redis round
    // trip per lookup) stays on the path measured.
    RATE_LIMIT_PER_SECOND: '1000000',
    OTEL_SDK_DISABLED: opts.tracing ? 'false' : 'true',
    OTEL_SERVICE_NAME: 'lienthong-bench',
    OTEL_EXPORTER_OTLP_ENDPOINT: opts.tracing ? opts.otlpUrl : undefined,
    OTEL_TRACES_SAMPLER: opts.sampler ?? process.env.OTEL_TRACES_SAMPLER,
    LIENTHONG_ADMIN_ID: undefined,
    LIENTHONG_ADMIN_SECRET: undefined
  }
  const execArgv = [
    // as `npm start` (package.json)
    '--max-old-space-size=192',
    ...(opts.tracing ? ['--import', opts.dist !== undefined ? join(opts.dist, 'src', 'tracing.js') : scripts.tracing] : []),
    ...(opts.cpuProfile !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfile.dir}`, `--cpu-prof-name=${opts.cpuProfile.name}`] : []),
    // Node.js options NODE_OPTIONS refuses (e.g. --trace-gc), for the gateways only
    ...(process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter((a) => a !== '')
  ]
  const logFile = join(ctx.dir, `gateway-${opts.name}.log`)
  const script = opts.dist !== undefined ? join(opts.dist, 'bench', 'gateway.js') : scripts.gateway
  const child = await start<{ url: string, token: string, refusedAtStart: number }>(`gateway ${opts.name}`, script, {
    execArgv,
    args: opts.audit ? [] : ['--audit=off'],
    env,
    logFile
  })
  return { child, databaseUrl, logBytes: () => statSync(logFile).size }
}
