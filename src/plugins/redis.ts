import fp from 'fastify-plugin'
import { Redis, type RedisOptions } from 'ioredis'

declare module 'fastify' {
  interface FastifyInstance {
    redis: {
      /** Shared connection for commands (fails fast while Redis is down). */
      client: Redis
      /**
       * A new connection owned by the caller's purpose (BullMQ workers, subscribers); closed on app close. Its
       * commands and connection attempts have the deadline of DEPENDENCY_TIMEOUT_MS unless `opts` say otherwise
       * (a BullMQ worker's connection: its blocking commands wait longer, see plugins/queues.ts).
       */
      create (purpose: string, opts?: RedisOptions): Redis
    }
  }
}

/**
 * Redis connections: one shared client plus dedicated ones on request; every one is closed on app close. Every
 * command has a client-side deadline (`commandTimeout`), as has every connection attempt (`connectTimeout`): a
 * frozen Redis — the TCP connection alive, nothing answering — fails the command after DEPENDENCY_TIMEOUT_MS
 * instead of leaving it waiting (docs/api-conventions.md, "Bounded waits").
 */
export default fp(async function redis (app) {
  const url = app.config.redisUrl
  if (url === undefined) throw new Error('REDIS_URL is not set (the embedded default sets it before building the app)')
  const timeoutMs = app.config.dependencies.timeoutMs
  const owned: Redis[] = []
  const create = (purpose: string, opts: RedisOptions = {}): Redis => {
    const conn = new Redis(url, { connectionName: `lienthong:${purpose}`, lazyConnect: false, commandTimeout: timeoutMs, connectTimeout: timeoutMs, ...opts })
    conn.on('error', (err) => app.log.warn({ purpose, err: err.message }, 'redis connection error'))
    owned.push(conn)
    return conn
  }
  const client = create('commands', { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
  await new Promise<void>((resolve, reject) => {
    if (client.status === 'ready') return resolve()
    const timer = setTimeout(() => reject(new Error(`Redis at ${url} did not answer within 10 s`)), 10_000)
    client.once('ready', () => { clearTimeout(timer); resolve() })
  })
  app.decorate('redis', { client, create })
  app.addHook('onClose', async () => {
    await Promise.all(owned.map(async (c) => { await c.quit().catch(() => c.disconnect()) }))
  })
}, { name: 'redis', dependencies: ['config'] })
