import type { FastifyInstance } from 'fastify'
import { dependencyChecks } from '../../lib/readiness.js'

const readiness = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ready', 'not-ready', 'draining'], description: 'draining: the instance is shutting down (SIGTERM) and takes no new work' },
    checks: {
      type: 'object',
      description: 'Each dependency: postgres, redis, audit (the audit buffer has room).',
      additionalProperties: { type: 'string', enum: ['up', 'down'] }
    },
    auditBuffered: { type: 'integer', description: 'Audit events waiting to be written.' }
  }
}
const PUBLIC = { tags: ['operations'], security: [] }

/**
 * Liveness (the process answers) and readiness: its dependencies answer, and the audit buffer has room (with it
 * full, lookups fail closed, so a load balancer should send them to another instance). Not ready while draining
 * before a shutdown (src/plugins/drain.ts).
 */
export default async function healthRoutes (app: FastifyInstance): Promise<void> {
  app.get('/health/live', {
    schema: {
      ...PUBLIC,
      summary: 'Liveness: the process answers',
      response: { 200: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } }
    }
  }, async () => ({ status: 'ok' }))

  app.get('/health/ready', {
    schema: {
      ...PUBLIC,
      summary: 'Readiness: PostgreSQL, Redis and the audit trail can take work',
      response: {
        200: { ...readiness, description: 'Ready' },
        503: {
          description: 'Not ready (the body says which dependency is down), or shedding load (problem+json)',
          headers: { 'retry-after': { type: 'integer', minimum: 0, description: 'Seconds to wait before asking again.' } },
          content: { 'application/json': { schema: readiness }, 'application/problem+json': { schema: { $ref: 'problem#' } } }
        }
      }
    }
  }, async (_request, reply) => {
    if (app.drain.draining) return await reply.code(503).send({ status: 'draining', checks: {} })
    const checks: Record<string, 'up' | 'down'> = { ...await dependencyChecks(app) }
    checks.audit = app.audit.accepting() ? 'up' : 'down'
    const ok = Object.values(checks).every((v) => v === 'up')
    if (!ok) void reply.header('retry-after', String(app.config.dependencies.retryAfterSeconds))
    return await reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not-ready', checks, auditBuffered: app.auditTrail.writer.depth })
  })
}
