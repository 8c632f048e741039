import type { FastifyInstance } from 'fastify'

/**
 * Liveness (the process answers) and readiness: its dependencies answer, and the audit buffer has room (with it
 * full, lookups fail closed, so a load balancer should send them to another instance).
 */
export default async function healthRoutes (app: FastifyInstance): Promise<void> {
  app.get('/health/live', { schema: { tags: ['operations'] } }, async () => ({ status: 'ok' }))

  // Each probe is bounded by the dependencies' own deadlines (DEPENDENCY_TIMEOUT_MS); this one is the backstop.
  const deadlineMs = app.config.dependencies.timeoutMs + 500
  app.get('/health/ready', { schema: { tags: ['operations'] } }, async (_request, reply) => {
    const checks: Record<string, 'up' | 'down'> = {}
    const probe = async (name: string, fn: () => Promise<unknown>): Promise<void> => {
      let timer: NodeJS.Timeout | undefined
      try {
        await Promise.race([fn(), new Promise((_resolve, reject) => { timer = setTimeout(reject, deadlineMs) })])
        checks[name] = 'up'
      } catch {
        checks[name] = 'down'
      } finally {
        clearTimeout(timer)
      }
    }
    await Promise.all([
      probe('postgres', async () => await app.db.query('SELECT 1')),
      probe('redis', async () => await app.redis.client.ping())
    ])
    checks.audit = app.audit.accepting() ? 'up' : 'down'
    const ok = Object.values(checks).every((v) => v === 'up')
    return await reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not-ready', checks, auditBuffered: app.auditTrail.writer.depth })
  })
}
