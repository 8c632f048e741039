import type { FastifyInstance } from 'fastify'

export type Check = 'up' | 'down'

/** PostgreSQL and Redis answer a trivial command within 2 s each (probed at once). */
export async function dependencyChecks (app: FastifyInstance): Promise<{ postgres: Check, redis: Check }> {
  const probe = async (fn: () => Promise<unknown>): Promise<Check> => {
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([fn(), new Promise((_resolve, reject) => { timer = setTimeout(reject, 2000) })])
      return 'up'
    } catch {
      return 'down'
    } finally {
      clearTimeout(timer)
    }
  }
  const [postgres, redis] = await Promise.all([
    probe(async () => await app.db.query('SELECT 1')),
    probe(async () => await app.redis.client.ping())
  ])
  return { postgres, redis }
}
