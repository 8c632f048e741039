import type { FastifyInstance } from 'fastify'
import { deliveriesOfDossier, deliveryOf } from '../../deliveries/views.js'
import { NotFound } from '../../errors.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const attemptSchema = {
  type: 'object',
  properties: {
    at: { type: 'string' },
    outcome: { type: 'string' },
    upstreamStatus: { type: 'integer' },
    upstreamCode: { type: 'string' },
    error: { type: 'string' },
    durationMs: { type: 'number' }
  }
}

export const deliverySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    service: { type: 'string' },
    dossierCode: { type: 'string' },
    status: { type: 'string' },
    attempts: { type: 'array', items: attemptSchema },
    nextAttemptAt: { type: 'string' },
    deliveredAt: { type: 'string' },
    createdAt: { type: 'string' }
  }
}

/** A caller's own deliveries, with every attempt (architecture.md §3.4); anyone else's are 404. */
export default async function deliveryReadRoutes (app: FastifyInstance): Promise<void> {
  app.get<{ Params: { id: string } }>('/v1/deliveries/:id', {
    schema: {
      tags: ['deliveries'],
      summary: 'One delivery and its attempts',
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
      response: { 200: deliverySchema }
    }
  }, async (request) => {
    const found = UUID.test(request.params.id) ? await deliveryOf(app.db, request.principal.clientId, request.params.id) : undefined
    if (found === undefined) throw new NotFound(`Delivery ${request.params.id} does not exist`)
    return found
  })

  app.get<{ Params: { code: string } }>('/v1/dossiers/:code/deliveries', {
    schema: {
      tags: ['deliveries'],
      summary: 'Every delivery of one dossier, in accepted order',
      params: { type: 'object', properties: { code: { type: 'string', maxLength: 64 } }, required: ['code'] },
      response: { 200: { type: 'array', items: deliverySchema } }
    }
  }, async (request) => {
    const list = await deliveriesOfDossier(app.db, request.principal.clientId, request.params.code)
    if (list.length === 0) throw new NotFound(`Dossier ${request.params.code} is unknown`)
    return list
  })
}
