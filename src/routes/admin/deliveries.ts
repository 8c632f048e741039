import type { FastifyInstance } from 'fastify'
import type { DeliveryStatus } from '../../deliveries/accept.js'
import { cancelFailed, replayFailed, statusOf } from '../../deliveries/replay.js'
import { listDeliveries, type DeliveryFilter } from '../../deliveries/views.js'
import { Conflict, NotFound, ValidationFailed } from '../../errors.js'
import { getSchema } from '../../catalog/schemas.js'
import { pageQuery, pageSchema, readPage } from '../../lib/page.js'
import { auditAdminChange } from './audit-change.js'

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
const filterProps = {
  service: { type: 'string', enum: ['dossier.sync', 'dossier.progress'] },
  from: { type: 'string', format: 'date-time' },
  to: { type: 'string', format: 'date-time' },
  dossierCode: { type: 'string', maxLength: 64 }
}
/** A delivery as admins see it: schemas/delivery.json and who sent it, its place, why it failed or was cancelled. */
const adminDelivery = (() => {
  const { $id: _id, $schema: _schema, ...delivery } = getSchema('delivery') ?? {}
  return {
    ...delivery,
    properties: {
      ...delivery.properties,
      clientId: { type: 'string' },
      seq: { type: 'integer', description: 'Place of the delivery in its dossier\'s order' },
      lastError: { type: 'string' },
      cancelledAt: { type: 'string', format: 'date-time' },
      cancelledBy: { type: 'string' },
      cancelReason: { type: 'string' }
    }
  }
})()
const idParams = { type: 'object', properties: { id: { type: 'string', pattern: UUID } }, required: ['id'] }
const cancelled = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    dossierCode: { type: 'string' },
    status: { type: 'string' },
    cancelledAt: { type: 'string' },
    cancelledBy: { type: 'string' },
    reason: { type: 'string' },
    released: { type: 'string' }
  }
}
const replayed = { type: 'object', properties: { retried: { type: 'integer' }, ids: { type: 'array', items: { type: 'string' } } } }

interface ListQuery extends DeliveryFilter { limit?: string, cursor?: string }

/** Admin: deliveries by status/service/time, replay of dead letters and their cancellation (architecture.md §3.5). */
export default async function adminDeliveryRoutes (app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: ListQuery }>('/v1/admin/deliveries', {
    schema: {
      tags: ['admin'],
      summary: 'Deliveries, newest first (created within [from, to))',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          status: { type: 'string', enum: ['queued', 'delivering', 'retrying', 'delivered', 'failed', 'cancelled'] },
          ...filterProps,
          ...pageQuery(1000, 100)
        }
      },
      response: { 200: pageSchema(adminDelivery) }
    }
  }, async (request) => {
    const { limit: _limit, cursor: _cursor, ...filter } = request.query
    return await listDeliveries(app.db, filter, readPage(request.query, 100))
  })

  app.post<{ Params: { id: string } }>('/v1/admin/deliveries/:id/retry', {
    schema: {
      tags: ['admin'],
      summary: 'Replay one failed delivery',
      params: idParams,
      problems: [409],
      response: { 202: replayed }
    }
  }, async (request, reply) => {
    const current = await statusOf(app.db, request.params.id)
    if (current === undefined) throw new NotFound(`Delivery ${request.params.id} does not exist`)
    if (current.status !== 'failed') throw new Conflict(`Delivery ${request.params.id} is ${current.status}; only failed deliveries are replayed`)
    const { ids } = await replayFailed(app.db, app.queues.deliveries, { id: request.params.id })
    if (ids.length === 0) throw new Conflict(`Delivery ${request.params.id} is no longer failed`)
    auditAdminChange(app, request, { entity: 'delivery', id: request.params.id, action: 'retry', before: { status: 'failed' }, after: { status: 'queued' } })
    return await reply.code(202).send({ retried: ids.length, ids })
  })

  app.post<{ Params: { id: string }, Body: { reason: string } }>('/v1/admin/deliveries/:id/cancel', {
    schema: {
      tags: ['admin'],
      summary: 'Cancel one failed delivery: it will never be delivered, and the later deliveries of its dossier proceed',
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['reason'],
        properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } }
      },
      problems: [409],
      response: { 200: cancelled }
    }
  }, async (request) => {
    const { id } = request.params
    const current = await statusOf(app.db, id)
    if (current === undefined) throw new NotFound(`Delivery ${id} does not exist`)
    if (current.status !== 'failed') throw new Conflict(`Delivery ${id} is ${current.status}; only failed deliveries are cancelled`)
    const done = await cancelFailed(app.db, app.queues.deliveries, id, request.principal.clientId, request.body.reason)
    if (done === undefined) throw new Conflict(`Delivery ${id} is no longer failed`)
    auditAdminChange(app, request, {
      entity: 'delivery',
      id,
      action: 'cancel',
      before: { status: 'failed', dossierCode: done.dossierCode },
      after: { status: 'cancelled', reason: done.reason, ...(done.released !== undefined ? { released: done.released } : {}) }
    })
    return done
  })

  app.post<{ Querystring: Omit<DeliveryFilter, 'status'> }>('/v1/admin/deliveries/retry', {
    schema: {
      tags: ['admin'],
      summary: 'Replay every failed delivery matching a filter (the query string of the listing, without status)',
      querystring: { type: 'object', additionalProperties: false, properties: filterProps },
      response: { 202: replayed }
    }
  }, async (request, reply) => {
    const body = request.body
    if (body !== undefined && body !== null && !(typeof body === 'object' && Object.keys(body).length === 0)) {
      throw Object.assign(new ValidationFailed('Give the filter in the query string (service, from, to, dossierCode)'),
        { errors: [{ path: '/body', message: 'must be empty' }] })
    }
    const { ids } = await replayFailed(app.db, app.queues.deliveries, { ...request.query, status: 'failed' as DeliveryStatus })
    if (ids.length > 0) auditAdminChange(app, request, { entity: 'deliveries', id: 'retry-matching', action: 'retry', after: { filter: request.query, retried: ids.length } })
    return await reply.code(202).send({ retried: ids.length, ids })
  })
}
