import type { FastifyInstance } from 'fastify'

/**
 * Liveness (the process answers) and readiness: its dependencies answer, and the audit buffer has room (with it
 * full, lookups fail closed, so a load balancer should send them to another instance). Not ready while draining
 * before a shutdown (src/plugins/drain.ts).
 */
export default async function healthRoutes (app: FastifyInstance): Promise<void> {
  app.get('/health/live', { schema: { tags: ['operations'] } }, async () => ({ status: 'ok' }))

  app.get('/health/ready', { schema: { tags: ['operations'] } }, async (_request, reply) => {
    if (app.drain.draining) return await reply.code(503).send({ status: 'draining', checks: {} })
    const checks: Record<string, 'up' | 'down'> = {}
    const probe = async (name: string, fn: () => Promise<unknown>): Promise<void> => {
      try {
        await Promise.race([fn(), new Promise((_resolve, reject) => setTimeout(reject, 2000).unref())])
        checks[name] = 'up'
      } catch {
        checks[name] = 'down'
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
