import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { NotFound, ValidationFailed } from '../../errors.js'
import { eventsInOrder, fromRow, listEvents, traceEvents, type EventFilter } from '../../audit/queries.js'
import { READER_ROLE, withAuditRole } from '../../audit/store.js'
import { checkpointRoutes } from './checkpoints.js'
import { traceHops } from '../../audit/hops.js'
import { badCursor, pageSchema, readPage } from '../../lib/page.js'
import { auditEvent, eventParams, eventsQuery, eventsSearch, exportQuery, traceAnswer, traceParams, type EventsQuery, type EventsSearch } from './schemas.js'

function date (name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) {
    throw Object.assign(new ValidationFailed(`${name} must be an ISO 8601 date-time`), { errors: [{ path: `/query/${name}`, message: 'must be an ISO 8601 date-time' }] })
  }
  return d
}

function filterOf (app: FastifyInstance, q: EventsQuery | EventsSearch): EventFilter {
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
  // the role is checked before the body is validated: a caller without it learns nothing of the schemas
  app.addHook('onRequest', app.requireRole('auditor'))

  const exported = async (q: EventsQuery | EventsSearch, reply: FastifyReply): Promise<FastifyReply> => {
    const pages = eventsInOrder(app.dbRead, filterOf(app, q))
    async function * lines (): AsyncGenerator<string> {
      for await (const page of pages) yield page.map((e) => JSON.stringify(e) + '\n').join('')
    }
    return await reply.type('application/x-ndjson; charset=utf-8').header('cache-control', 'no-store').send(Readable.from(lines()))
  }
  const ndjson = {
    200: { description: 'One event per line (application/x-ndjson), oldest first', content: { 'application/x-ndjson': { schema: auditEvent } } }
  }

  app.get<{ Querystring: EventsQuery }>('/v1/audit/events', {
    schema: { tags: ['audit'], summary: 'Audit events, newest first', querystring: eventsQuery, response: { 200: pageSchema(auditEvent) } }
  }, async (request: FastifyRequest<{ Querystring: EventsQuery }>) =>
    await listEvents(app.dbRead, filterOf(app, request.query), readPage(request.query, 50)))

  app.post<{ Body: EventsSearch }>('/v1/audit/events/search', {
    schema: {
      tags: ['audit'],
      summary: 'Audit events, newest first, with the filters in the body (the subject never in a URL)',
      body: eventsSearch,
      response: { 200: pageSchema(auditEvent) }
    }
  }, async (request) => {
    const q = request.body
    let page
    try {
      page = readPage({ limit: q.limit === undefined ? undefined : String(q.limit), cursor: q.cursor }, 50)
    } catch {
      throw Object.assign(badCursor(), { errors: [{ path: '/body/cursor', message: 'is not a cursor this API gave' }] })
    }
    return await listEvents(app.dbRead, filterOf(app, q), page)
  })

  app.get<{ Querystring: Omit<EventsQuery, 'limit' | 'cursor'> }>('/v1/audit/export', {
    schema: { tags: ['audit'], summary: 'Audit events of a filter as NDJSON, in chain order', querystring: exportQuery, response: ndjson }
  }, async (request, reply) => await exported(request.query, reply))

  app.post<{ Body: Omit<EventsQuery, 'limit' | 'cursor'> }>('/v1/audit/export', {
    schema: { tags: ['audit'], summary: 'Audit events of a filter (in the body: the subject never in a URL) as NDJSON, in chain order', body: exportQuery, response: ndjson }
  }, async (request, reply) => await exported(request.body, reply))

  app.get<{ Params: { id: string } }>('/v1/audit/events/:id', {
    schema: { tags: ['audit'], summary: 'One audit event by its id (the first bad event of a verification, say)', params: eventParams, response: { 200: auditEvent } }
  }, async (request) => {
    const rows = await withAuditRole(app.dbRead, READER_ROLE, async (c) =>
      (await c.query('SELECT * FROM audit_events WHERE id = $1', [request.params.id])).rows)
    if (rows.length === 0) throw new NotFound(`No audit event has the id ${request.params.id}`)
    return fromRow(rows[0])
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
