import fp from 'fastify-plugin'
import { Redis, type RedisOptions } from 'ioredis'
import type { Config } from '../config.js'

declare module 'fastify' {
  interface FastifyInstance {
    redis: {
      /** Shared connection for commands (fails fast while Redis is down). */
      client: Redis
      /**
       * A new connection owned by the caller's purpose (BullMQ workers, subscribers); closed on app close. Its
       * commands and connection attempts have the deadline of DEPENDENCY_TIMEOUT_MS unless `opts` say otherwise
       * (a BullMQ worker's connection: its blocking commands wait longer, see `forWorker`).
       */
      create (purpose: string, opts?: RedisOptions): Redis
      /** A new connection for a BullMQ worker (deliveries, procedures, event lanes); closed on app close. */
      forWorker (purpose: string): Redis
    }
  }
}

/**
 * The longest blocking wait of a BullMQ worker for its next job, in seconds: BullMQ caps it at 10 s (its drain delay,
 * 5 s by default, when the queue is empty; up to 10 s until the next delayed job is due).
 */
const WORKER_BLOCK_MAX_S = 10

/** Where connections go: REDIS_URL, or the master that the sentinels name (followed across a failover). */
export function redisTarget (config: Config): { url?: string, options: RedisOptions, describe: string } {
  const s = config.redisSentinel
  if (s !== undefined) {
    return {
      options: { sentinels: s.sentinels, name: s.name, sentinelPassword: s.sentinelPassword, password: s.password },
      describe: `the master "${s.name}" of sentinels ${s.sentinels.map((x) => `${x.host}:${x.port}`).join(',')}`
    }
  }
  if (config.redisUrl === undefined) throw new Error('REDIS_URL is not set (the embedded default sets it before building the app)')
  return { url: config.redisUrl, options: {}, describe: config.redisUrl.replace(/\/\/[^@/]*@/, '//***@') }
}

/**
 * Redis connections: one shared client plus dedicated ones on request; every one is closed on app close. Every
 * command has a client-side deadline (`commandTimeout`), as has every connection attempt (`connectTimeout`): a
 * frozen Redis — the TCP connection alive, nothing answering — fails the command after DEPENDENCY_TIMEOUT_MS
 * instead of leaving it waiting (docs/api-conventions.md, "Bounded waits").
 */
export default fp(async function redis (app) {
  const target = redisTarget(app.config)
  const timeoutMs = app.config.dependencies.timeoutMs
  const owned: Redis[] = []
  const create = (purpose: string, opts: RedisOptions = {}): Redis => {
    const options: RedisOptions = { ...target.options, connectionName: `lienthong:${purpose}`, lazyConnect: false, commandTimeout: timeoutMs, connectTimeout: timeoutMs, ...opts }
    const conn = target.url !== undefined ? new Redis(target.url, options) : new Redis(options)
    conn.on('error', (err) => app.log.warn({ purpose, err: err.message }, 'redis connection error'))
    owned.push(conn)
    return conn
  }
  const client = create('commands', { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
  const closeAll = async (): Promise<void> => {
    await Promise.all(owned.map(async (c) => { await c.quit().catch(() => c.disconnect()) }))
  }
  try {
    await new Promise<void>((resolve, reject) => {
      if (client.status === 'ready') return resolve()
      const timer = setTimeout(() => reject(new Error(`Redis (${target.describe}) did not answer within 8 s`)), 8000)
      client.once('ready', () => { clearTimeout(timer); resolve() })
    })
  } catch (err) {
    // Nothing else will close them: the app never finished registering.
    for (const c of owned) c.disconnect()
    throw err
  }
  // BullMQ asks for maxRetriesPerRequest: null on a worker's connection, and duplicates it for its blocking one
  // (BZPOPMIN, which waits up to WORKER_BLOCK_MAX_S, with BullMQ's own watchdog one second later): the command
  // deadline of both must exceed that wait, or every idle wait would time out ("Command timed out").
  const forWorker = (purpose: string): Redis =>
    create(purpose, { maxRetriesPerRequest: null, commandTimeout: WORKER_BLOCK_MAX_S * 1000 + 1000 + timeoutMs })
  app.decorate('redis', { client, create, forWorker })
  app.addHook('onClose', closeAll)
}, { name: 'redis', dependencies: ['config'] })
