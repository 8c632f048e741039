import type { FastifyInstance } from 'fastify'
import { SERVICES } from '../../catalog/services.js'
import { openDeliveryCounts } from '../../deliveries/counts.js'
import { dependencyChecks } from '../../lib/readiness.js'
import type { SeriesSummary } from '../../console/traffic.js'
import { connectorHealth } from './connector-schemas.js'

const EMPTY = { perMinute: 0, errorRate: 0, p50Ms: null, p99Ms: null, points: [] }

const ms = { type: ['number', 'null'] } as const
const count = { type: 'integer', minimum: 0 } as const
const check = { type: 'string', enum: ['up', 'down'] } as const

/** The last hour of one service or connector instance, by minute (this instance of the gateway). */
const traffic = {
  type: 'object',
  required: ['perMinute', 'errorRate', 'p50Ms', 'p99Ms', 'points'],
  properties: {
    perMinute: { type: 'number', minimum: 0, description: 'Requests per minute, averaged over the hour' },
    errorRate: { type: 'number', minimum: 0, maximum: 1 },
    p50Ms: ms,
    p99Ms: ms,
    points: {
      type: 'array',
      description: 'One point a minute, oldest first (empty when there was no traffic in the hour)',
      items: {
        type: 'object',
        required: ['at', 'count', 'errors', 'p50Ms', 'p99Ms'],
        properties: { at: { type: 'string', format: 'date-time' }, count, errors: count, p50Ms: ms, p99Ms: ms }
      }
    }
  }
} as const

const counts = (names: readonly string[]): object => ({
  type: ['object', 'null'],
  description: 'null when it could not be read',
  additionalProperties: count,
  properties: Object.fromEntries(names.map((n) => [n, count]))
})

export const overviewSchema = {
  type: 'object',
  required: ['at', 'services', 'connectors', 'deliveries', 'audit', 'readiness'],
  properties: {
    at: { type: 'string', format: 'date-time' },
    services: {
      type: 'array',
      items: { type: 'object', required: ['id', 'kind', ...traffic.required], properties: { id: { type: 'string' }, kind: { type: 'string' }, ...traffic.properties } }
    },
    connectors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'type', 'services', 'enabled', 'health', 'traffic'],
        properties: {
          id: { type: 'string' },
          type: { type: 'string' },
          services: { type: 'array', items: { type: 'string' } },
          enabled: { type: 'boolean' },
          health: connectorHealth,
          traffic
        }
      }
    },
    deliveries: {
      type: 'object',
      required: ['byStatus', 'queue'],
      properties: {
        byStatus: counts(['queued', 'delivering', 'retrying', 'failed']),
        queue: counts(['waiting', 'active', 'delayed', 'failed', 'prioritized'])
      }
    },
    audit: {
      type: 'object',
      required: ['buffered', 'accepting', 'written', 'failedFlushes', 'databaseDown'],
      properties: {
        buffered: count,
        accepting: { type: 'boolean' },
        written: count,
        failedFlushes: count,
        rejected: count,
        databaseDown: { type: 'boolean' }
      }
    },
    readiness: { type: 'object', required: ['redis', 'postgres'], properties: { redis: check, postgres: check } }
  }
} as const

/**
 * Admin: the console's overview as one JSON document — per service and connector instance the last hour's
 * request rate, error rate, p50/p99 (by minute, this instance), circuit state and health; the delivery queue
 * (depth, retries, dead letters); the audit buffer; Redis and PostgreSQL readiness.
 */
export default async function overviewRoutes (app: FastifyInstance): Promise<void> {
  app.get('/v1/admin/overview', {
    schema: { tags: ['admin'], summary: 'Live overview of services, connectors, deliveries, audit and dependencies', response: { 200: overviewSchema } }
  }, async (_request, reply) => {
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
