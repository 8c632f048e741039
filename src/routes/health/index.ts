import type { FastifyInstance } from 'fastify'
import { dependencyChecks } from '../../lib/readiness.js'

/**
 * Liveness (the process answers) and readiness: its dependencies answer, and the audit buffer has room (with it
 * full, lookups fail closed, so a load balancer should send them to another instance).
 */
export default async function healthRoutes (app: FastifyInstance): Promise<void> {
  app.get('/health/live', { schema: { tags: ['operations'] } }, async () => ({ status: 'ok' }))

  app.get('/health/ready', { schema: { tags: ['operations'] } }, async (_request, reply) => {
    const checks: Record<string, 'up' | 'down'> = { ...await dependencyChecks(app) }
    checks.audit = app.audit.accepting() ? 'up' : 'down'
    const ok = Object.values(checks).every((v) => v === 'up')
    return await reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not-ready', checks, auditBuffered: app.auditTrail.writer.depth })
  })
}
