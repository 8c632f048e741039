import envSchema from 'env-schema'
import { CONSOLE_ENV, consoleConfig, type ConsoleConfig } from './config/console.js'
import { AUDIT_ENV, auditConfig, type AuditConfig } from './config/audit.js'
import { EVENTS_ENV, eventsConfig, type EventsConfig } from './config/events.js'
import { OTEL_ENV, otelConfig, type OtelConfig } from './config/otel.js'
import type { Env, Read } from './config/env.js'

export { parseRoleMap, type ConsoleConfig } from './config/console.js'
export type { AuditCheckpointConfig, AuditConfig } from './config/audit.js'
export type { EventsConfig } from './config/events.js'
export type { OtelConfig, OtelExporter, OtlpProtocol } from './config/otel.js'
export { productionProblems } from './config/production.js'

/**
 * The only reader of process.env. Every setting the gateway has is declared here (the audit trail's, OpenTelemetry's, the events' and the console's in
 * src/config/, spread into this schema), with its default;
 * `loadConfig()` is called once per process and the result is passed down, so tests build variants
 * without touching the environment.
 */
const schema = {
  type: 'object',
  properties: {
    HOST: { type: 'string', default: '127.0.0.1' },
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
    LOG_LEVEL: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    LOG_BUFFER_BYTES: { type: 'integer', minimum: 0, maximum: 1048576, default: 4096 },
    DATA_DIR: { type: 'string', default: '.data' },
    NODE_ENV: { type: 'string', default: '' },
    REDIS_URL: { type: 'string' },
    REDIS_SENTINELS: { type: 'string', default: '' },
    REDIS_SENTINEL_NAME: { type: 'string', default: 'lienthong' },
    REDIS_SENTINEL_PASSWORD: { type: 'string' },
    REDIS_PASSWORD: { type: 'string' },
    DATABASE_URL: { type: 'string' },
    DATABASE_DIRECT_URL: { type: 'string' },
    DATABASE_READ_URL: { type: 'string' },
    DATABASE_POOL_SIZE: { type: 'integer', minimum: 1, default: 10 },
    DEPENDENCY_TIMEOUT_MS: { type: 'integer', minimum: 50, maximum: 60000, default: 1000 },
    DEPENDENCY_RETRY_AFTER_SECONDS: { type: 'integer', minimum: 1, maximum: 3600, default: 2 },
    MIGRATIONS: { type: 'string', enum: ['auto', 'off'], default: 'auto' },
    RUNTIME_LOGIN: { type: 'string', pattern: '^[a-z_][a-z0-9_]{0,62}$' },
    RUNTIME_PASSWORD: { type: 'string' },
    QUEUE_PREFIX: { type: 'string', pattern: '^[^:]+$', default: 'lienthong' },
    JWT_ISSUER: { type: 'string', default: 'lienthong-gateway' },
    JWT_AUDIENCE: { type: 'string', default: 'lienthong' },
    JWT_TTL_SECONDS: { type: 'integer', minimum: 30, maximum: 900, default: 900 },
    JWT_PRIVATE_KEY_FILE: { type: 'string' },
    EXTERNAL_JWT_ISSUER: { type: 'string' },
    EXTERNAL_JWKS_URL: { type: 'string' },
    EXTERNAL_JWT_AUDIENCE: { type: 'string' },
    EXTERNAL_JWT_MAX_LIFETIME_SECONDS: { type: 'integer', minimum: 60, maximum: 2592000, default: 86400 },
    PUBLIC_URL: { type: 'string', pattern: '^https?://[^/?#]+(/[^?#]*)?$' },
    LIENTHONG_ADMIN_ID: { type: 'string' },
    LIENTHONG_ADMIN_SECRET: { type: 'string' },
    CONNECTORS_FILE: { type: 'string', default: 'config/connectors.json' },
    SIMULATORS: { type: 'string', enum: ['auto', 'on', 'off'], default: 'auto' },
    SIMULATOR_BASE_PORT: { type: 'integer', minimum: 0, maximum: 65000, default: 18100 },
    BODY_LIMIT_BYTES: { type: 'integer', minimum: 1024, default: 1048576 },
    CLIENT_CACHE_TTL_MS: { type: 'integer', minimum: 0, default: 5000 },
    SECRET_HASH_COST: { type: 'integer', minimum: 1024, default: 32768 },
    WORKERS: { type: 'boolean', default: true },
    WORKER_CONCURRENCY: { type: 'integer', minimum: 1, default: 64 },
    AUDIT_KEY: { type: 'string' },
    SECRETS_KEY: { type: 'string' },
    RATE_LIMIT_PER_SECOND: { type: 'integer', minimum: 1, default: 200 },
    QUOTA_PER_DAY: { type: 'integer', minimum: 0, default: 0 },
    RATE_LIMIT_FAIL_OPEN: { type: 'boolean', default: true },
    RATE_LIMIT_SYNC_MS: { type: 'integer', minimum: 0, maximum: 1000, default: 50 },
    TOKEN_RATE_PER_MINUTE: { type: 'integer', minimum: 1, default: 60 },
    TOKEN_RATE_PER_ADDRESS_PER_MINUTE: { type: 'integer', minimum: 1, default: 120 },
    TOKEN_HASH_CONCURRENCY: { type: 'integer', minimum: 1, maximum: 64, default: 2 },
    TOKEN_HASH_QUEUE: { type: 'integer', minimum: 0, default: 16 },
    TOKEN_HASH_WAIT_MS: { type: 'integer', minimum: 1, default: 1000 },
    LAND_PARCEL_FANOUT_MAX: { type: 'integer', minimum: 1, default: 4 },
    MAX_EVENT_LOOP_DELAY_MS: { type: 'integer', minimum: 0, default: 1000 },
    MAX_HEAP_USED_BYTES: { type: 'integer', minimum: 0, default: 0 },
    MAX_RSS_BYTES: { type: 'integer', minimum: 0, default: 0 },
    CORS_ORIGINS: { type: 'string', default: '' },
    OUTBOUND_ALLOWLIST: { type: 'string', default: '127.0.0.0/8,::1,localhost' },
    CONFIG_POLL_INTERVAL_MS: { type: 'integer', minimum: 100, default: 30000 },
    HEALTH_PROBE_INTERVAL_MS: { type: 'integer', minimum: 0, default: 15000 },
    DELIVERY_ATTEMPTS: { type: 'integer', minimum: 1, maximum: 100, default: 8 },
    DELIVERY_BACKOFF_MS: { type: 'integer', minimum: 0, default: 2000 },
    DELIVERY_BACKOFF_MAX_MS: { type: 'integer', minimum: 0, default: 600000 },
    DELIVERY_LOCK_MS: { type: 'integer', minimum: 1000, default: 30000 },
    DELIVERY_ORDER_WAIT_MS: { type: 'integer', minimum: 10, default: 2000 },
    DELIVERY_BLOCKED_WAIT_MS: { type: 'integer', minimum: 100, default: 60000 },
    DELIVERY_RECONCILE_INTERVAL_MS: { type: 'integer', minimum: 100, default: 30000 },
    DELIVERY_RECONCILE_GRACE_MS: { type: 'integer', minimum: 0, default: 30000 },
    SHUTDOWN_TIMEOUT_MS: { type: 'integer', minimum: 100, default: 15000 },
    DRAIN_DELAY_MS: { type: 'integer', minimum: 0, maximum: 120000, default: 0 },
    PROCEDURES_DIR: { type: 'string', default: 'config/procedures' },
    PROCEDURE_SWEEP_INTERVAL_MS: { type: 'integer', minimum: 100, default: 30000 },
    PROCEDURE_SWEEP_GRACE_MS: { type: 'integer', minimum: 0, default: 30000 },
    ...AUDIT_ENV,
    ...OTEL_ENV,
    ...EVENTS_ENV,
    ...CONSOLE_ENV
  }
} as const

export interface Config {
  host: string
  port: number
  logLevel: string
  /**
   * Log lines are written to stdout in blocks of at least this many bytes (asynchronously; flushed at exit):
   * one system call per block instead of one per line. 0 = every line written synchronously.
   */
  logBufferBytes: number
  dataDir: string
  /**
   * NODE_ENV=production: the process refuses to start without the settings a shared deployment needs
   * (`productionProblems`): no embedded services, and the keys every instance must share.
   */
  production: boolean
  redisUrl?: string
  /**
   * Redis through Sentinel (REDIS_SENTINELS=host:port,host:port; REDIS_SENTINEL_NAME names the master set): every
   * connection asks the sentinels for the current master and follows a failover. Takes the place of REDIS_URL.
   */
  redisSentinel?: { sentinels: Array<{ host: string, port: number }>, name: string, sentinelPassword?: string, password?: string }
  databaseUrl?: string
  /**
   * A direct connection to the primary, beside DATABASE_URL through a pooler (PgBouncer in transaction mode): the
   * configuration change feed (LISTEN/NOTIFY), migrations and the start-up key creation (session advisory locks)
   * need one session of their own. Default: DATABASE_URL.
   */
  databaseDirectUrl?: string
  /** A read replica for the auditors' queries (events, traces, export, verify). Default: DATABASE_URL. */
  databaseReadUrl?: string
  databasePoolSize: number
  /**
   * Bounded waits on Redis and PostgreSQL (docs/api-conventions.md, "Bounded waits"): every Redis command and
   * connection, every PostgreSQL statement (`statement_timeout`, and the client's wait for the answer), connection
   * and pool acquisition gives up after `timeoutMs`, so that a frozen or partitioned dependency is answered with
   * problem+json 503 SERVICE_UNAVAILABLE and `Retry-After: retryAfterSeconds` in about `timeoutMs` (under 2 s with
   * the defaults) rather than hanging. The audit thread's batch writes and the migrations have longer deadlines
   * of their own (they are not on a request path).
   */
  dependencies: { timeoutMs: number, retryAfterSeconds: number }
  /**
   * auto: pending migrations are applied at start (the embedded default; needs the schema owner's rights).
   * off: no DDL at start; the process refuses to start while a migration is pending (run `npm run migrate` as the
   * owner first). In both modes a current schema means no DDL at all, so a least-privilege login can run the gateway.
   */
  migrations: 'auto' | 'off'
  /**
   * `npm run migrate` only: after migrating, create (or update the password of) this login as a member of
   * lienthong_runtime — the least-privilege role the gateway runs as (the pilot's compose file uses it).
   */
  runtimeLogin?: { name: string, password: string }
  /**
   * Prefix of every Redis key (BullMQ queues, rate-limit counters). On a Redis Cluster it must be a hash tag,
   * `{lienthong}`, so that a queue's keys land in one slot as BullMQ requires (the deployment files set it so).
   * Changing it on a running deployment strands the queued wake-ups under the old prefix until the reconciler
   * re-queues them from PostgreSQL: keep it across upgrades.
   */
  queuePrefix: string
  jwt: {
    issuer: string
    audience: string
    ttlSeconds: number
    privateKeyFile?: string
    /**
     * An external identity provider. Its tokens must carry `iat`, and live at most `maxLifetimeSeconds`
     * (exp − iat): a revocation by `jti` alone is kept that long, so it outlives every token it can name.
     */
    external?: { issuer: string, jwksUrl: string, audience?: string, maxLifetimeSeconds: number }
  }
  /**
   * The gateway's public base URL (`https://gateway.example.gov.vn`): the OAuth 2.0 metadata's `issuer` and
   * endpoints (RFC 8414). Unset: the URL the caller used (fine in development, set it in production).
   */
  publicUrl?: string
  admin?: { id: string, secret: string }
  connectorsFile: string
  simulators: 'auto' | 'on' | 'off'
  simulatorBasePort: number
  bodyLimitBytes: number
  clientCacheTtlMs: number
  secretHashCost: number
  workers: boolean
  /**
   * Delivery jobs a process runs at once (per-dossier order holds whatever the number). A delivery mostly waits
   * (portal, PostgreSQL commits), so throughput follows it: 1,002 delivered/s with 16 against 1,333 with 64 in the
   * same bench (docs/deliveries.md). The portal sees at most this many calls per process, bounded again by the
   * connector instance's `runtime.bulkhead` and `runtime.connections`.
   */
  workerConcurrency: number
  auditKey?: string
  /** The audit trail (docs/audit.md): its own connection pool, buffer bounds, batching, retention, spill directory. */
  audit: AuditConfig
  /** OpenTelemetry (src/tracing.ts; src/config/otel.ts). */
  otel: OtelConfig

  secretsKey?: string
  /** Default limits per client and service; admins override them per client (`limits`). 0 = no daily quota. */
  rateLimitPerSecond: number
  quotaPerDay: number
  /** With Redis unreachable: true = let requests through unlimited (lookups keep working), false = 503. */
  rateLimitFailOpen: boolean
  /**
   * Rate-limit and quota counters are counted in each instance and added to Redis in one batch every this many ms
   * (src/limits/shared-counters.ts); 0 = one Redis round trip per request (exact across instances).
   */
  rateLimitSyncMs: number
  /** Token requests per minute per client id and address (secret guessing), and per address whatever the id. */
  tokenRatePerMinute: number
  tokenRatePerAddressPerMinute: number
  /**
   * Secret checks of the token endpoint (scrypt, ~32 MB and ~100–200 ms each) running at once, waiting at most, and
   * how long one may wait; beyond that a token request gets a fast 503 with Retry-After.
   */
  tokenHashing: { concurrency: number, queue: number, waitMs: number }
  /**
   * A land lookup by parcel id alone (no province) asks every land database in turn: refused with 400 (give
   * `provinceCode`) when more than this many are configured.
   */
  landParcelFanoutMax: number
  /** Overload shedding (fast 503 + Retry-After); 0 disables a bound. */
  maxEventLoopDelayMs: number
  /** 0 (default): 90 % of V8's heap limit. */
  maxHeapUsedBytes: number
  maxRssBytes: number
  /** Browser origins allowed by CORS; empty = CORS closed. */
  corsOrigins: string[]
  outboundAllowlist: string
  configPollIntervalMs: number
  healthProbeIntervalMs: number
  /** Dossier deliveries (architecture.md §3.4): default retry policy, worker lock, order waits, reconciler. */
  delivery: {
    attempts: number
    backoffMs: number
    backoffMaxMs: number
    lockMs: number
    orderWaitMs: number
    blockedWaitMs: number
    reconcileIntervalMs: number
    reconcileGraceMs: number
  }
  shutdownTimeoutMs: number
  /**
   * On SIGTERM, how long the process keeps serving with readiness false (503 `draining` on /health/ready, and
   * `connection: close` on answers) before it stops accepting: the time a load balancer needs to stop sending new
   * requests. Then in-flight requests finish and workers take no new job. SIGINT (Ctrl-C) does not wait.
   */
  drainDelayMs: number
  /**
   * Interlinked procedures (docs/procedures.md): the folder of the group files seeded at start (a bad file stops the
   * start), and the sweeper that re-queues steps whose job is missing (untouched for the grace), ends supplement
   * waits past their deadline and flags overdue steps.
   */
  procedures: { dir: string, sweepIntervalMs: number, sweepGraceMs: number }
  /** Events to provincial systems (docs/events.md): sources, webhook lanes, retries and their bounds, push, pull. */
  events: EventsConfig
  /** The web console at /console/ (docs/security.md § Console): its public origin, the people's identity provider, sessions. */
  console: ConsoleConfig
  /** Values for `${NAME}` placeholders in the declarative connector file (the process environment). */
  vars: Readonly<Record<string, string>>
}

export function loadConfig (env: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env): Config {
  const e = envSchema<Env>({ schema, data: env, dotenv: false })
  const str: Read = (k) => {
    const v = e[k]
    return typeof v === 'string' && v !== '' ? v : undefined
  }
  const externalIssuer = str('EXTERNAL_JWT_ISSUER')
  const externalJwks = str('EXTERNAL_JWKS_URL')
  if ((externalIssuer === undefined) !== (externalJwks === undefined)) {
    throw new Error('EXTERNAL_JWT_ISSUER and EXTERNAL_JWKS_URL must be set together')
  }
  const adminId = str('LIENTHONG_ADMIN_ID')
  const adminSecret = str('LIENTHONG_ADMIN_SECRET')
  if ((adminId === undefined) !== (adminSecret === undefined)) {
    throw new Error('LIENTHONG_ADMIN_ID and LIENTHONG_ADMIN_SECRET must be set together')
  }
  if (adminSecret !== undefined && adminSecret.length < 12) {
    throw new Error('LIENTHONG_ADMIN_SECRET must be at least 12 characters')
  }
  const sentinels = parseSentinels(e.REDIS_SENTINELS as string)
  if (sentinels.length > 0 && str('REDIS_URL') !== undefined) throw new Error('REDIS_URL and REDIS_SENTINELS are exclusive: set one')
  return {
    host: e.HOST as string,
    port: e.PORT as number,
    logLevel: e.LOG_LEVEL as string,
    logBufferBytes: e.LOG_BUFFER_BYTES as number,
    dataDir: e.DATA_DIR as string,
    production: e.NODE_ENV === 'production',
    redisUrl: str('REDIS_URL'),
    redisSentinel: sentinels.length > 0
      ? { sentinels, name: e.REDIS_SENTINEL_NAME as string, sentinelPassword: str('REDIS_SENTINEL_PASSWORD'), password: str('REDIS_PASSWORD') }
      : undefined,
    databaseUrl: str('DATABASE_URL'),
    databaseDirectUrl: str('DATABASE_DIRECT_URL'),
    databaseReadUrl: str('DATABASE_READ_URL'),
    databasePoolSize: e.DATABASE_POOL_SIZE as number,
    dependencies: { timeoutMs: e.DEPENDENCY_TIMEOUT_MS as number, retryAfterSeconds: e.DEPENDENCY_RETRY_AFTER_SECONDS as number },
    migrations: e.MIGRATIONS as Config['migrations'],
    runtimeLogin: str('RUNTIME_LOGIN') !== undefined && str('RUNTIME_PASSWORD') !== undefined
      ? { name: str('RUNTIME_LOGIN') as string, password: str('RUNTIME_PASSWORD') as string }
      : undefined,
    queuePrefix: e.QUEUE_PREFIX as string,
    jwt: {
      issuer: e.JWT_ISSUER as string,
      audience: e.JWT_AUDIENCE as string,
      ttlSeconds: e.JWT_TTL_SECONDS as number,
      privateKeyFile: str('JWT_PRIVATE_KEY_FILE'),
      external: externalIssuer !== undefined && externalJwks !== undefined
        ? { issuer: externalIssuer, jwksUrl: externalJwks, audience: str('EXTERNAL_JWT_AUDIENCE'), maxLifetimeSeconds: e.EXTERNAL_JWT_MAX_LIFETIME_SECONDS as number }
        : undefined
    },
    publicUrl: str('PUBLIC_URL')?.replace(/\/+$/, ''),
    admin: adminId !== undefined && adminSecret !== undefined ? { id: adminId, secret: adminSecret } : undefined,
    connectorsFile: e.CONNECTORS_FILE as string,
    simulators: e.SIMULATORS as Config['simulators'],
    simulatorBasePort: e.SIMULATOR_BASE_PORT as number,
    bodyLimitBytes: e.BODY_LIMIT_BYTES as number,
    clientCacheTtlMs: e.CLIENT_CACHE_TTL_MS as number,
    secretHashCost: e.SECRET_HASH_COST as number,
    workers: e.WORKERS as boolean,
    workerConcurrency: e.WORKER_CONCURRENCY as number,
    auditKey: str('AUDIT_KEY'),
    audit: auditConfig(e, str),
    otel: otelConfig(e, str),
    secretsKey: str('SECRETS_KEY'),
    rateLimitPerSecond: e.RATE_LIMIT_PER_SECOND as number,
    quotaPerDay: e.QUOTA_PER_DAY as number,
    rateLimitFailOpen: e.RATE_LIMIT_FAIL_OPEN as boolean,
    rateLimitSyncMs: e.RATE_LIMIT_SYNC_MS as number,
    tokenRatePerMinute: e.TOKEN_RATE_PER_MINUTE as number,
    tokenRatePerAddressPerMinute: e.TOKEN_RATE_PER_ADDRESS_PER_MINUTE as number,
    tokenHashing: { concurrency: e.TOKEN_HASH_CONCURRENCY as number, queue: e.TOKEN_HASH_QUEUE as number, waitMs: e.TOKEN_HASH_WAIT_MS as number },
    landParcelFanoutMax: e.LAND_PARCEL_FANOUT_MAX as number,
    maxEventLoopDelayMs: e.MAX_EVENT_LOOP_DELAY_MS as number,
    maxHeapUsedBytes: e.MAX_HEAP_USED_BYTES as number,
    maxRssBytes: e.MAX_RSS_BYTES as number,
    corsOrigins: (e.CORS_ORIGINS as string).split(',').map((o) => o.trim()).filter((o) => o !== ''),
    outboundAllowlist: e.OUTBOUND_ALLOWLIST as string,
    configPollIntervalMs: e.CONFIG_POLL_INTERVAL_MS as number,
    healthProbeIntervalMs: e.HEALTH_PROBE_INTERVAL_MS as number,
    delivery: {
      attempts: e.DELIVERY_ATTEMPTS as number,
      backoffMs: e.DELIVERY_BACKOFF_MS as number,
      backoffMaxMs: e.DELIVERY_BACKOFF_MAX_MS as number,
      lockMs: e.DELIVERY_LOCK_MS as number,
      orderWaitMs: e.DELIVERY_ORDER_WAIT_MS as number,
      blockedWaitMs: e.DELIVERY_BLOCKED_WAIT_MS as number,
      reconcileIntervalMs: e.DELIVERY_RECONCILE_INTERVAL_MS as number,
      reconcileGraceMs: e.DELIVERY_RECONCILE_GRACE_MS as number
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS as number,
    drainDelayMs: e.DRAIN_DELAY_MS as number,
    procedures: {
      dir: e.PROCEDURES_DIR as string,
      sweepIntervalMs: e.PROCEDURE_SWEEP_INTERVAL_MS as number,
      sweepGraceMs: e.PROCEDURE_SWEEP_GRACE_MS as number
    },
    events: eventsConfig(e, str),
    console: consoleConfig(e, str),
    vars: Object.freeze(Object.fromEntries(Object.entries(env).filter((kv): kv is [string, string] => typeof kv[1] === 'string')))
  }
}

function parseSentinels (list: string): Array<{ host: string, port: number }> {
  return list.split(',').map((s) => s.trim()).filter((s) => s !== '').map((entry) => {
    const m = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(entry)
    if (m === null || Number(m[2]) > 65535) throw new Error(`REDIS_SENTINELS: "${entry}" is not host:port`)
    return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) }
  })
}

/** Whether Redis is configured (a URL or sentinels); without it the embedded default starts a private one. */
export function redisConfigured (config: Config): boolean {
  return config.redisUrl !== undefined || config.redisSentinel !== undefined
}
