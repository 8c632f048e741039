import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { NotFound, ValidationFailed } from '../../errors.js'
import { eventsInOrder, listEvents, traceEvents, type EventFilter } from '../../audit/queries.js'
import { checkpointRoutes } from './checkpoints.js'
import { traceHops } from '../../audit/hops.js'
import { pageSchema, readPage } from '../../lib/page.js'
import { auditEvent, eventsQuery, exportQuery, traceAnswer, traceParams, type EventsQuery } from './schemas.js'

function date (name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) {
    throw Object.assign(new ValidationFailed(`${name} must be an ISO 8601 date-time`), { errors: [{ path: `/query/${name}`, message: 'must be an ISO 8601 date-time' }] })
  }
  return d
}

function filterOf (app: FastifyInstance, q: EventsQuery): EventFilter {
  return {
    from: date('from', q.from),
    to: date('to', q.to),
    clientId: q.clientId,
    service: q.service,
    outcome: q.outcome,
    kind: q.kind,
    caseId: q.caseId,
    traceId: q.traceId,
    // The identifier is hashed with the audit key, as the trail stores it; it is never logged (no query in logs).
    subjectHash: q.subject !== undefined ? app.auditTrail.keys.subject(q.subject) : undefined
  }
}

/**
 * The auditor API (architecture.md §3.6): role `auditor` only, read-only — the queries run under the database
 * role lienthong_audit_reader, which may only SELECT. No route of the gateway changes the trail.
 */
export default async function auditRoutes (app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', app.authenticate)
  app.addHook('preHandler', app.requireRole('auditor'))

  app.get<{ Querystring: EventsQuery }>('/v1/audit/events', {
    schema: { tags: ['audit'], summary: 'Audit events, newest first', querystring: eventsQuery, response: { 200: pageSchema(auditEvent) } }
  }, async (request: FastifyRequest<{ Querystring: EventsQuery }>) =>
    await listEvents(app.dbRead, filterOf(app, request.query), readPage(request.query, 50)))

  app.get<{ Querystring: Omit<EventsQuery, 'limit' | 'cursor'> }>('/v1/audit/export', {
    schema: {
      tags: ['audit'],
      summary: 'Audit events of a filter as NDJSON, in chain order',
      querystring: exportQuery,
      response: {
        200: { description: 'One event per line (application/x-ndjson), oldest first', content: { 'application/x-ndjson': { schema: auditEvent } } }
      }
    }
  }, async (request, reply) => {
    const pages = eventsInOrder(app.dbRead, filterOf(app, request.query))
    async function * lines (): AsyncGenerator<string> {
      for await (const page of pages) yield page.map((e) => JSON.stringify(e) + '\n').join('')
    }
    return await reply.type('application/x-ndjson; charset=utf-8').header('cache-control', 'no-store').send(Readable.from(lines()))
  })

  app.get<{ Params: { traceId: string } }>('/v1/audit/traces/:traceId', {
    schema: { tags: ['audit'], summary: 'Every hop of one exchange, in order, with timings', params: traceParams, response: { 200: traceAnswer } }
  }, async (request) => {
    const events = await traceEvents(app.dbRead, request.params.traceId)
    if (events.length === 0) throw new NotFound(`No audit event has the trace id ${request.params.traceId}`)
    return { traceId: request.params.traceId, ...traceHops(events), events: events.length }
  })

  checkpointRoutes(app, date)
}
