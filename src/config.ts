import { hostname } from 'node:os'
import { dirname, join } from 'node:path'
import envSchema from 'env-schema'
import { CONSOLE_ENV, consoleConfig, type ConsoleConfig } from './config/console.js'
import { EVENTS_ENV, eventsConfig, type EventsConfig } from './config/events.js'
import type { Env, Read } from './config/env.js'

export { parseRoleMap, type ConsoleConfig } from './config/console.js'
export type { EventsConfig } from './config/events.js'
export { productionProblems } from './config/production.js'

const OTLP_PROTOCOLS = ['grpc', 'http/protobuf', 'http/json']
export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json'
export type OtelExporter = 'otlp' | 'console' | 'none'
/** The OTEL_PROPAGATORS names the gateway knows (the specification's, less the deprecated ot-trace and xray). */
const PROPAGATORS = 'tracecontext|baggage|b3|b3multi|jaeger|none'

/**
 * The only reader of process.env. Every setting the gateway has is declared here (the events' and the console's in
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
    AUDIT_DATABASE_URL: { type: 'string' },
    AUDIT_BUFFER_MAX: { type: 'integer', minimum: 1, default: 20000 },
    AUDIT_BUFFER_HEADROOM: { type: 'integer', minimum: 0, default: 5000 },
    AUDIT_BATCH_SIZE: { type: 'integer', minimum: 1, maximum: 5000, default: 500 },
    AUDIT_FLUSH_MS: { type: 'integer', minimum: 0, maximum: 10000, default: 50 },
    AUDIT_RETENTION_MONTHS: { type: 'integer', minimum: 1, default: 60 },
    AUDIT_RETENTION_INTERVAL_MS: { type: 'integer', minimum: 0, default: 3600000 },
    AUDIT_SPILL_DIR: { type: 'string' },
    AUDIT_CHECKPOINT_INTERVAL_MS: { type: 'integer', minimum: 0, maximum: 600000, default: 5000 },
    AUDIT_SIGNING_KEY_FILE: { type: 'string' },
    AUDIT_PUBLIC_KEYS_FILE: { type: 'string' },
    AUDIT_WITNESS_DIR: { type: 'string' },
    AUDIT_WITNESS_MAX_BYTES: { type: 'integer', minimum: 4096, default: 16777216 },
    AUDIT_INSTANCE: { type: 'string' },
    AUDIT_TSA_URL: { type: 'string' },
    AUDIT_TSA_CERT_FILE: { type: 'string' },
    AUDIT_TSA_EVERY: { type: 'integer', minimum: 1, default: 1 },
    AUDIT_TSA_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 60000, default: 5000 },
    OTEL_SDK_DISABLED: { type: 'boolean', default: false },
    OTEL_SERVICE_NAME: { type: 'string', default: 'lienthong-gateway' },
    OTEL_EXPORTER_OTLP_ENDPOINT: { type: 'string' },
    OTEL_TRACES_SAMPLER: { type: 'string', enum: ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'], default: 'parentbased_traceidratio' },
    OTEL_TRACES_SAMPLER_ARG: { type: 'number', minimum: 0, maximum: 1, default: 0.1 },
    OTEL_TRACES_EXPORTER: { type: 'string', enum: ['otlp', 'console', 'none'], default: 'otlp' },
    OTEL_METRICS_EXPORTER: { type: 'string', enum: ['otlp', 'console', 'none'], default: 'otlp' },
    OTEL_EXPORTER_OTLP_PROTOCOL: { type: 'string', enum: OTLP_PROTOCOLS, default: 'http/protobuf' },
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: { type: 'string', enum: OTLP_PROTOCOLS },
    OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: { type: 'string', enum: OTLP_PROTOCOLS },
    OTEL_PROPAGATORS: { type: 'string', pattern: `^\\s*(${PROPAGATORS})(\\s*,\\s*(${PROPAGATORS}))*\\s*$`, default: 'tracecontext,baggage' },
    OTEL_RESOURCE_ATTRIBUTES: { type: 'string', default: '' },
    OTEL_METRIC_EXPORT_INTERVAL: { type: 'integer', minimum: 1, default: 60000 },
    OTEL_METRIC_EXPORT_TIMEOUT: { type: 'integer', minimum: 1, default: 30000 },
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
    ...EVENTS_ENV,
    ...CONSOLE_ENV
  }
} as const

export interface AuditCheckpointConfig {
  /** A checkpoint at most this often while events flow (and one at shutdown); 0 = only at shutdown. */
  intervalMs: number
  /** Ed25519 private key (PKCS#8 PEM); never in the database. */
  signingKeyFile: string
  /** True when AUDIT_SIGNING_KEY_FILE is not set: the key under DATA_DIR is made on first start. */
  createSigningKey: boolean
  /** Every public key that ever signed, with its validity (GET /v1/audit/keys). */
  publicKeysFile: string
  witnessDir: string
  witnessMaxBytes: number
  /** Names this gateway in its checkpoints and witness files. */
  instance: string
  /** RFC 3161 time-stamping authority: its URL and the certificate trusted for its tokens (PEM). */
  tsa?: { url: string, certFile: string }
  /** Time-stamp every Nth checkpoint; the TSA's deadline per request. */
  tsaEvery: number
  tsaTimeoutMs: number
}

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
  audit: {
    databaseUrl?: string
    bufferMax: number
    bufferHeadroom: number
    batchSize: number
    flushMs: number
    retentionMonths: number
    retentionIntervalMs: number
    spillDir: string
    /** Signed checkpoints of the chain head, kept outside PostgreSQL too (docs/audit.md §3). */
    checkpoints: AuditCheckpointConfig
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
    /** OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER (default otlp: only when `endpoint` is set). */
    tracesExporter?: OtelExporter
    metricsExporter?: OtelExporter
    /** OTEL_EXPORTER_OTLP_{TRACES,METRICS}_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL (default http/protobuf). */
    tracesProtocol?: OtlpProtocol
    metricsProtocol?: OtlpProtocol
    /** OTEL_RESOURCE_ATTRIBUTES (`key=value,…`, values percent-encoded), under the service name. */
    resourceAttributes?: Record<string, string>
    /** OTEL_PROPAGATORS (default tracecontext, baggage; `none` alone: none). */
    propagators?: string[]
    /** OTEL_METRIC_EXPORT_INTERVAL / _TIMEOUT (ms). */
    metricExport?: { intervalMs: number, timeoutMs: number }
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
  const tsaUrl = str('AUDIT_TSA_URL')
  const tsaCert = str('AUDIT_TSA_CERT_FILE')
  if ((tsaUrl === undefined) !== (tsaCert === undefined)) throw new Error('AUDIT_TSA_URL and AUDIT_TSA_CERT_FILE must be set together')
  const signingKeyFile = str('AUDIT_SIGNING_KEY_FILE')
  const keyFile = signingKeyFile ?? join(e.DATA_DIR as string, 'audit-signing', 'key.pem')
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
    audit: {
      databaseUrl: str('AUDIT_DATABASE_URL'),
      bufferMax: e.AUDIT_BUFFER_MAX as number,
      bufferHeadroom: e.AUDIT_BUFFER_HEADROOM as number,
      batchSize: e.AUDIT_BATCH_SIZE as number,
      flushMs: e.AUDIT_FLUSH_MS as number,
      retentionMonths: e.AUDIT_RETENTION_MONTHS as number,
      retentionIntervalMs: e.AUDIT_RETENTION_INTERVAL_MS as number,
      spillDir: str('AUDIT_SPILL_DIR') ?? join(e.DATA_DIR as string, 'audit-spill'),
      checkpoints: {
        intervalMs: e.AUDIT_CHECKPOINT_INTERVAL_MS as number,
        signingKeyFile: keyFile,
        createSigningKey: signingKeyFile === undefined,
        publicKeysFile: str('AUDIT_PUBLIC_KEYS_FILE') ?? join(dirname(keyFile), 'public-keys.json'),
        witnessDir: str('AUDIT_WITNESS_DIR') ?? join(e.DATA_DIR as string, 'audit-witness'),
        witnessMaxBytes: e.AUDIT_WITNESS_MAX_BYTES as number,
        instance: str('AUDIT_INSTANCE') ?? `${hostname()}-${process.pid}`,
        tsa: tsaUrl !== undefined && tsaCert !== undefined ? { url: tsaUrl, certFile: tsaCert } : undefined,
        tsaEvery: e.AUDIT_TSA_EVERY as number,
        tsaTimeoutMs: e.AUDIT_TSA_TIMEOUT_MS as number
      }
    },
    otel: {
      disabled: e.OTEL_SDK_DISABLED as boolean,
      serviceName: e.OTEL_SERVICE_NAME as string,
      endpoint: str('OTEL_EXPORTER_OTLP_ENDPOINT'),
      sampler: { name: e.OTEL_TRACES_SAMPLER as string, ratio: e.OTEL_TRACES_SAMPLER_ARG as number },
      tracesExporter: e.OTEL_TRACES_EXPORTER as OtelExporter,
      metricsExporter: e.OTEL_METRICS_EXPORTER as OtelExporter,
      tracesProtocol: (e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL) as OtlpProtocol,
      metricsProtocol: (e.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL) as OtlpProtocol,
      resourceAttributes: resourceAttributes(e.OTEL_RESOURCE_ATTRIBUTES as string),
      propagators: (e.OTEL_PROPAGATORS as string).split(',').map((p) => p.trim()).filter((p) => p !== 'none'),
      // the SDK refuses a timeout longer than the interval
      metricExport: { intervalMs: e.OTEL_METRIC_EXPORT_INTERVAL as number, timeoutMs: Math.min(e.OTEL_METRIC_EXPORT_TIMEOUT as number, e.OTEL_METRIC_EXPORT_INTERVAL as number) }
    },
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

/** OTEL_RESOURCE_ATTRIBUTES as the OpenTelemetry specification writes it: `key=value` pairs, values percent-encoded. */
function resourceAttributes (list: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of list.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const at = pair.indexOf('=')
    const key = pair.slice(0, at).trim()
    let value: string | undefined
    try { value = decodeURIComponent(pair.slice(at + 1).trim()) } catch { value = undefined }
    if (at <= 0 || key === '' || value === undefined) throw new Error(`OTEL_RESOURCE_ATTRIBUTES: "${pair}" is not key=value (values percent-encoded)`)
    out[key] = value
  }
  return out
}

/** Whether Redis is configured (a URL or sentinels); without it the embedded default starts a private one. */
export function redisConfigured (config: Config): boolean {
  return config.redisUrl !== undefined || config.redisSentinel !== undefined
}
