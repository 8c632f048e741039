import type { FastifyInstance } from 'fastify'
import { auditDelivery } from '../../deliveries/audit.js'
import { badCursor, pageQuery } from '../../lib/page.js'
import { acknowledgePulled, decodeEventCursor, encodeEventCursor, pageJson, pullPage, type PulledEvent } from '../../events/pull.js'

interface Query { cursor?: string, limit?: string, wait?: string }

/**
 * The pull alternative to webhooks (role `system`): GET /v1/events?cursor= pages through the events of the caller's
 * pull subscriptions in commit order, each exactly once; asking from a cursor acknowledges what came before it.
 * With `wait` (seconds, bounded by EVENTS_LONG_POLL_MAX_S) an empty page waits for the next event (long-poll).
 */
export default async function pullRoutes (app: FastifyInstance): Promise<void> {
  const maxWait = app.config.events.longPollMaxS
  // one branch per event type: its `type`, and its `data` by the type's schema
  const typed = app.events.catalogue.types.map((t) => ({
    type: 'object',
    required: ['type', 'data'],
    properties: { type: { const: t.id }, data: { $ref: `${t.schema}#` } }
  }))

  app.get<{ Querystring: Query }>('/v1/events', {
    preHandler: app.requireRole('system'),
    schema: {
      tags: ['events'],
      summary: 'Events of the caller\'s pull subscriptions after a cursor (long-poll with wait)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ...pageQuery(1000, 100),
          cursor: {
            type: 'string',
            minLength: 1,
            maxLength: 200,
            description: 'The `nextCursor` of a previous answer: a position in the stream of events (absent: from the beginning). Asking from it acknowledges every event before it.'
          },
          wait: { type: 'string', pattern: '^\\d{1,3}$', description: 'Seconds an empty page waits for the next event (long-poll; at most EVENTS_LONG_POLL_MAX_S).' }
        }
      },
      response: {
        200: {
          description: '`items` oldest first: each `event` (schema event.envelope) with the caller\'s subscriptions it matched. The stream has no last page: `nextCursor` is always the position to continue from (on an empty page, the cursor asked with: up to date).',
          type: 'object',
          required: ['items', 'nextCursor'],
          properties: {
            items: {
              type: 'array',
              items: {
                type: 'object',
                required: ['subscriptionIds', 'event'],
                properties: {
                  subscriptionIds: { type: 'array', items: { type: 'string' } },
                  event: {
                    description: 'The envelope (event.envelope) whose `data` follows the schema of its `type`',
                    allOf: [{ $ref: 'event.envelope#' }, { oneOf: typed }]
                  }
                }
              }
            },
            nextCursor: { type: 'string', description: 'Give it as `cursor` to continue; never null (a stream position, not a last page).' }
          }
        }
      }
    }
  }, async (request, reply) => {
    const { clientId } = request.principal
    const q = request.query
    const after = q.cursor !== undefined ? decodeEventCursor(q.cursor) : '0'
    if (after === undefined) throw badCursor()
    const limit = q.limit !== undefined ? Number(q.limit) : 100
    const waitMs = Math.min(Number(q.wait ?? 0), maxWait) * 1000
    if (q.cursor !== undefined) await acknowledgePulled(app.db, clientId, after)
    let page: PulledEvent[] = await pullPage(app.db, clientId, after, limit)
    if (page.length === 0 && waitMs > 0) {
      const gone = new AbortController()
      const onClose = (): void => { if (!reply.raw.writableFinished) gone.abort() }
      reply.raw.once('close', onClose)
      const until = Date.now() + waitMs
      try {
        while (page.length === 0 && Date.now() < until && !gone.signal.aborted) {
          await app.events.waiters.wait(until - Date.now(), gone.signal)
          page = await pullPage(app.db, clientId, after, limit)
        }
      } finally {
        reply.raw.off('close', onClose)
      }
    }
    for (const e of page) {
      auditDelivery(app, {
        kind: 'event.delivery',
        outcome: 'ok',
        clientId,
        purpose: e.purpose,
        requestId: request.id,
        traceId: request.traceId,
        service: e.type,
        connector: e.subscriptionIds.join(','),
        ...(e.caseId !== null ? { caseId: e.caseId } : {}),
        subjectHashes: e.subjectHashes,
        details: { eventId: e.id, subscriptionIds: e.subscriptionIds, mode: 'pull' }
      })
    }
    const next = encodeEventCursor(page.length > 0 ? page[page.length - 1].seq : after)
    return await reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(pageJson(page, next))
  })
}
