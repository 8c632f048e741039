/** What `npm run bench` can be told, from the environment (bench only; the gateway's own settings are src/config.ts). */
export interface Settings {
  /** Seconds per measured run (BENCH_DURATION_S, default 10). */
  durationS: number
  /** Seconds of warm-up before each run at full speed (BENCH_WARMUP_S, default 3). */
  warmupS: number
  /** Connections of the load generator (BENCH_CONNECTIONS, default 64). */
  connections: number
  /** Connections of the gateway's RSS check (BENCH_RSS_CONNECTIONS, default 256). */
  rssConnections: number
  /** The gateway's LOG_LEVEL (BENCH_LOG_LEVEL, default `info`, as in production). */
  logLevel: string
  /** Dossiers of the deliveries scenario (BENCH_DELIVERIES, default 3000: about 1.5 s of steady acceptance, so that ramp-up and drain weigh little). */
  deliveries: number
  /** Rounds of the alternated on/off measure of audit trail + tracing, the issue-4 ratio (BENCH_ROUNDS, default 3):
   * each round loads both gateways once, in turn, the order swapped every round. */
  rounds: number
  /** Gateway variants to run besides (c) (BENCH_VARIANTS: `trace-all` by default; `all`; `none`; or a
   * comma-separated list of `off`, `trace-all`, `no-tracing`, `no-audit`, `log-warn`, `bare`). `off` is measured in the
   * alternated rounds already; as a variant it is one more run, after them. */
  variants: string[]
  /** Parts to leave out (BENCH_SKIP, comma-separated: `alternated`, `profile`, `deliveries`, `events`, `admin-units`). */
  skip: Set<string>
  /** Which gateway the CPU profile is taken of (BENCH_PROFILE: `full`, the default, or `off`: audit trail and tracing
   * off, to see the rest of the path). */
  profile: 'full' | 'off'
  /** Keep the temporary folder (children's logs, databases' files) and print where it is (BENCH_KEEP=1). */
  keep: boolean
  /** Existing servers to use instead of private ones (REDIS_URL + DATABASE_URL, both or neither). */
  redisUrl?: string
  databaseUrl?: string
}

const num = (v: string | undefined, fallback: number): number => {
  const n = Number(v)
  return v !== undefined && v !== '' && Number.isFinite(n) && n > 0 ? n : fallback
}

const ALL_VARIANTS = ['off', 'trace-all', 'no-tracing', 'no-audit', 'log-warn', 'bare']
const variantsOf = (v: string): string[] =>
  v === 'all' ? ALL_VARIANTS : v === 'none' ? [] : v.split(',').map((x) => x.trim()).filter((x) => ALL_VARIANTS.includes(x))

export function settings (env: NodeJS.ProcessEnv = process.env): Settings {
  const both = env.REDIS_URL !== undefined && env.REDIS_URL !== '' && env.DATABASE_URL !== undefined && env.DATABASE_URL !== ''
  return {
    durationS: num(env.BENCH_DURATION_S, 10),
    warmupS: num(env.BENCH_WARMUP_S, 3),
    connections: Math.round(num(env.BENCH_CONNECTIONS, 64)),
    rssConnections: Math.round(num(env.BENCH_RSS_CONNECTIONS, 256)),
    logLevel: env.BENCH_LOG_LEVEL ?? 'info',
    deliveries: Math.round(num(env.BENCH_DELIVERIES, 3000)),
    rounds: Math.max(1, Math.round(num(env.BENCH_ROUNDS, 3))),
    variants: variantsOf(env.BENCH_VARIANTS ?? 'trace-all'),
    skip: new Set((env.BENCH_SKIP ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')),
    profile: env.BENCH_PROFILE === 'off' ? 'off' : 'full',
    keep: env.BENCH_KEEP === '1',
    redisUrl: both ? env.REDIS_URL : undefined,
    databaseUrl: both ? env.DATABASE_URL : undefined
  }
}
