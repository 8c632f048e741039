import type { FastifyInstance } from 'fastify'

export type Check = 'up' | 'down'

/**
 * PostgreSQL and Redis answer a trivial command (probed at once). Each probe is bounded by the dependencies' own
 * deadlines (DEPENDENCY_TIMEOUT_MS); the timer here is the backstop.
 */
export async function dependencyChecks (app: FastifyInstance): Promise<{ postgres: Check, redis: Check }> {
  const deadlineMs = app.config.dependencies.timeoutMs + 500
  const probe = async (fn: () => Promise<unknown>): Promise<Check> => {
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([fn(), new Promise((_resolve, reject) => { timer = setTimeout(reject, deadlineMs) })])
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
