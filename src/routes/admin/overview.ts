import type { FastifyInstance } from 'fastify'
import { SERVICES } from '../../catalog/services.js'
import { openDeliveryCounts } from '../../deliveries/counts.js'
import { dependencyChecks } from '../../lib/readiness.js'
import type { SeriesSummary } from '../../console/traffic.js'

const EMPTY = { perMinute: 0, errorRate: 0, p50Ms: null, p99Ms: null, points: [] }

/**
 * Admin: the console's overview as one JSON document — per service and connector instance the last hour's
 * request rate, error rate, p50/p99 (by minute, this instance), circuit state and health; the delivery queue
 * (depth, retries, dead letters); the audit buffer; Redis and PostgreSQL readiness.
 */
export default async function overviewRoutes (app: FastifyInstance): Promise<void> {
  app.get('/v1/admin/overview', { schema: { tags: ['admin'], summary: 'Live overview of services, connectors, deliveries, audit and dependencies' } }, async (_request, reply) => {
    const traffic = new Map<string, SeriesSummary>(app.hasDecorator('console') ? app.console.traffic.summary().map((s) => [s.key, s]) : [])
    const series = (key: string): Omit<SeriesSummary, 'key'> => {
      const { key: _k, ...rest } = traffic.get(key) ?? { key, ...EMPTY }
      return rest
    }
    const [readiness, open, queue] = await Promise.all([
      dependencyChecks(app),
      openDeliveryCounts(app.db).catch(() => null),
      app.queues.deliveries.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized').catch(() => null)
    ])
    const records = await app.connectors.store.list()
    const w = app.auditTrail.writer
    void reply.header('cache-control', 'no-store')
    return {
      at: new Date().toISOString(),
      services: SERVICES.map((s) => ({ id: s.id, kind: s.kind, ...series(`service:${s.id}`) })),
      connectors: records.map((r) => {
        const inst = app.connectors.get(r.id)
        return {
          id: r.id,
          type: r.type,
          services: r.services,
          enabled: r.enabled,
          health: inst !== undefined ? app.connectors.health.of(inst) : { id: r.id, state: 'down', circuit: 'closed', detail: 'instance not running' },
          traffic: series(`connector:${r.id}`)
        }
      }),
      deliveries: { byStatus: open, queue },
      audit: { buffered: w.depth, accepting: app.audit.accepting(), written: w.stats.written, failedFlushes: w.stats.failedFlushes, rejected: w.stats.rejected, databaseDown: w.stats.down },
      readiness
    }
  })
}
