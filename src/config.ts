import { join } from 'node:path'
import envSchema from 'env-schema'

/**
 * The only reader of process.env. Every setting the gateway has is declared here, with its default;
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
    REDIS_URL: { type: 'string' },
    DATABASE_URL: { type: 'string' },
    DATABASE_POOL_SIZE: { type: 'integer', minimum: 1, default: 10 },
    QUEUE_PREFIX: { type: 'string', default: 'lienthong' },
    JWT_ISSUER: { type: 'string', default: 'lienthong-gateway' },
    JWT_AUDIENCE: { type: 'string', default: 'lienthong' },
    JWT_TTL_SECONDS: { type: 'integer', minimum: 30, maximum: 900, default: 900 },
    JWT_PRIVATE_KEY_FILE: { type: 'string' },
    EXTERNAL_JWT_ISSUER: { type: 'string' },
    EXTERNAL_JWKS_URL: { type: 'string' },
    EXTERNAL_JWT_AUDIENCE: { type: 'string' },
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
    AUDIT_DATABASE_URL: { type: 'string' },
    AUDIT_BUFFER_MAX: { type: 'integer', minimum: 1, default: 20000 },
    AUDIT_BUFFER_HEADROOM: { type: 'integer', minimum: 0, default: 5000 },
    AUDIT_BATCH_SIZE: { type: 'integer', minimum: 1, maximum: 5000, default: 500 },
    AUDIT_FLUSH_MS: { type: 'integer', minimum: 0, maximum: 10000, default: 10 },
    AUDIT_RETENTION_MONTHS: { type: 'integer', minimum: 1, default: 60 },
    AUDIT_RETENTION_INTERVAL_MS: { type: 'integer', minimum: 0, default: 3600000 },
    AUDIT_SPILL_DIR: { type: 'string' },
    OTEL_SDK_DISABLED: { type: 'boolean', default: false },
    OTEL_SERVICE_NAME: { type: 'string', default: 'lienthong-gateway' },
    OTEL_EXPORTER_OTLP_ENDPOINT: { type: 'string' },
    OTEL_TRACES_SAMPLER: { type: 'string', enum: ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'], default: 'parentbased_traceidratio' },
    OTEL_TRACES_SAMPLER_ARG: { type: 'number', minimum: 0, maximum: 1, default: 0.1 },
    SECRETS_KEY: { type: 'string' },
    RATE_LIMIT_PER_SECOND: { type: 'integer', minimum: 1, default: 200 },
    QUOTA_PER_DAY: { type: 'integer', minimum: 0, default: 0 },
    RATE_LIMIT_FAIL_OPEN: { type: 'boolean', default: true },
    RATE_LIMIT_SYNC_MS: { type: 'integer', minimum: 0, maximum: 1000, default: 50 },
    TOKEN_RATE_PER_MINUTE: { type: 'integer', minimum: 1, default: 60 },
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
    CONSOLE_PUBLIC_URL: { type: 'string' },
    CONSOLE_OIDC_ISSUER: { type: 'string' },
    CONSOLE_OIDC_CLIENT_ID: { type: 'string', default: 'lienthong-console' },
    CONSOLE_OIDC_CLIENT_SECRET: { type: 'string' },
    CONSOLE_OIDC_SCOPES: { type: 'string', default: 'openid profile roles' },
    CONSOLE_ROLE_CLAIM: { type: 'string', default: 'roles' },
    CONSOLE_ROLE_MAP: { type: 'string', default: 'admin=admin,auditor=auditor' },
    CONSOLE_SESSION_IDLE_SECONDS: { type: 'integer', minimum: 60, default: 1800 },
    CONSOLE_SESSION_MAX_SECONDS: { type: 'integer', minimum: 300, default: 43200 },
    CONSOLE_DEV_IDP: { type: 'string', enum: ['auto', 'on', 'off'], default: 'auto' },
    LIENTHONG_DEV_ADMIN_PASSWORD: { type: 'string' },
    LIENTHONG_DEV_AUDITOR_PASSWORD: { type: 'string' }
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
  redisUrl?: string
  databaseUrl?: string
  databasePoolSize: number
  queuePrefix: string
  jwt: {
    issuer: string
    audience: string
    ttlSeconds: number
    privateKeyFile?: string
    external?: { issuer: string, jwksUrl: string, audience?: string }
  }
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
  audit: {
    databaseUrl?: string
    bufferMax: number
    bufferHeadroom: number
    batchSize: number
    flushMs: number
    retentionMonths: number
    retentionIntervalMs: number
    spillDir: string
  }
  /** OpenTelemetry (src/tracing.ts); the SDK reads the other OTEL_* variables itself. */
  otel: {
    disabled: boolean
    serviceName: string
    endpoint?: string
    /**
     * Which traces are recorded (the standard OTEL_TRACES_SAMPLER / _ARG; here 10 % of new traces by default, and
     * every trace a caller marked sampled). Unsampled requests still carry and forward their trace context, and the
     * audit trail records every exchange with its trace id whatever the sampler decides.
     */
    sampler?: { name: string, ratio: number }
  }
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
  tokenRatePerMinute: number
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
  /** The web console at /console/ (docs/security.md § Console): its public origin, the people's identity provider, sessions. */
  console: ConsoleConfig
  /** Values for `${NAME}` placeholders in the declarative connector file (the process environment). */
  vars: Readonly<Record<string, string>>
}

export interface ConsoleConfig {
  /** The origin people reach the gateway at (redirect and post-logout addresses, Origin checks, Secure cookies). */
  publicUrl: string
  /** OpenID Connect provider of the people (admins, auditors); none = nobody can sign in to the console. */
  oidc?: { issuer: string, clientId: string, clientSecret?: string, scopes: string }
  /** Claim holding the person's roles (a dotted path, e.g. `realm_access.roles` for Keycloak), and its values → roles. */
  roleClaim: string
  roleMap: Record<string, Array<'admin' | 'auditor'>>
  sessionIdleSeconds: number
  sessionMaxSeconds: number
  /** The development identity provider of the embedded default (src/dev/identity-provider.ts). */
  devIdp: 'auto' | 'on' | 'off'
  devPasswords: { admin?: string, auditor?: string }
}

/** `CONSOLE_ROLE_MAP`: `idpValue=role[,idpValue=role…]`, roles admin or auditor. */
export function parseRoleMap (text: string): ConsoleConfig['roleMap'] {
  const map: ConsoleConfig['roleMap'] = {}
  for (const pair of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [value, role] = pair.split('=').map((x) => x.trim())
    if (value === undefined || value === '' || (role !== 'admin' && role !== 'auditor')) {
      throw new Error(`CONSOLE_ROLE_MAP: "${pair}" is not value=admin or value=auditor`)
    }
    map[value] = [...(map[value] ?? []), role]
  }
  return map
}

type Env = Record<string, string | number | boolean | undefined>

export function loadConfig (env: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env): Config {
  const e = envSchema<Env>({ schema, data: env, dotenv: false })
  const str = (k: string): string | undefined => {
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
  return {
    host: e.HOST as string,
    port: e.PORT as number,
    logLevel: e.LOG_LEVEL as string,
    logBufferBytes: e.LOG_BUFFER_BYTES as number,
    dataDir: e.DATA_DIR as string,
    redisUrl: str('REDIS_URL'),
    databaseUrl: str('DATABASE_URL'),
    databasePoolSize: e.DATABASE_POOL_SIZE as number,
    queuePrefix: e.QUEUE_PREFIX as string,
    jwt: {
      issuer: e.JWT_ISSUER as string,
      audience: e.JWT_AUDIENCE as string,
      ttlSeconds: e.JWT_TTL_SECONDS as number,
      privateKeyFile: str('JWT_PRIVATE_KEY_FILE'),
      external: externalIssuer !== undefined && externalJwks !== undefined
        ? { issuer: externalIssuer, jwksUrl: externalJwks, audience: str('EXTERNAL_JWT_AUDIENCE') }
        : undefined
    },
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
    audit: {
      databaseUrl: str('AUDIT_DATABASE_URL'),
      bufferMax: e.AUDIT_BUFFER_MAX as number,
      bufferHeadroom: e.AUDIT_BUFFER_HEADROOM as number,
      batchSize: e.AUDIT_BATCH_SIZE as number,
      flushMs: e.AUDIT_FLUSH_MS as number,
      retentionMonths: e.AUDIT_RETENTION_MONTHS as number,
      retentionIntervalMs: e.AUDIT_RETENTION_INTERVAL_MS as number,
      spillDir: str('AUDIT_SPILL_DIR') ?? join(e.DATA_DIR as string, 'audit-spill')
    },
    otel: {
      disabled: e.OTEL_SDK_DISABLED as boolean,
      serviceName: e.OTEL_SERVICE_NAME as string,
      endpoint: str('OTEL_EXPORTER_OTLP_ENDPOINT'),
      sampler: { name: e.OTEL_TRACES_SAMPLER as string, ratio: e.OTEL_TRACES_SAMPLER_ARG as number }
    },
    secretsKey: str('SECRETS_KEY'),
    rateLimitPerSecond: e.RATE_LIMIT_PER_SECOND as number,
    quotaPerDay: e.QUOTA_PER_DAY as number,
    rateLimitFailOpen: e.RATE_LIMIT_FAIL_OPEN as boolean,
    rateLimitSyncMs: e.RATE_LIMIT_SYNC_MS as number,
    tokenRatePerMinute: e.TOKEN_RATE_PER_MINUTE as number,
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
    console: {
      publicUrl: (str('CONSOLE_PUBLIC_URL') ?? `http://${e.HOST === '0.0.0.0' || e.HOST === '::' ? '127.0.0.1' : e.HOST as string}:${e.PORT as number}`).replace(/\/+$/, ''),
      oidc: str('CONSOLE_OIDC_ISSUER') !== undefined
        ? { issuer: str('CONSOLE_OIDC_ISSUER') as string, clientId: e.CONSOLE_OIDC_CLIENT_ID as string, clientSecret: str('CONSOLE_OIDC_CLIENT_SECRET'), scopes: e.CONSOLE_OIDC_SCOPES as string }
        : undefined,
      roleClaim: e.CONSOLE_ROLE_CLAIM as string,
      roleMap: parseRoleMap(e.CONSOLE_ROLE_MAP as string),
      sessionIdleSeconds: e.CONSOLE_SESSION_IDLE_SECONDS as number,
      sessionMaxSeconds: e.CONSOLE_SESSION_MAX_SECONDS as number,
      devIdp: e.CONSOLE_DEV_IDP as ConsoleConfig['devIdp'],
      devPasswords: { admin: str('LIENTHONG_DEV_ADMIN_PASSWORD'), auditor: str('LIENTHONG_DEV_AUDITOR_PASSWORD') }
    },
    vars: Object.freeze(Object.fromEntries(Object.entries(env).filter((kv): kv is [string, string] => typeof kv[1] === 'string')))
  }
}
