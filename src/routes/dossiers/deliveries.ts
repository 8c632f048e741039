import type { FastifyInstance } from 'fastify'
import { deliveriesOfDossier, deliveryOf } from '../../deliveries/views.js'
import { NotFound } from '../../errors.js'
import { pageQuery, pageSchema, readPage } from '../../lib/page.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const DELIVERY = { $ref: 'delivery#' }

/** A caller's own deliveries, with every attempt (architecture.md §3.4); anyone else's are 404. */
export default async function deliveryReadRoutes (app: FastifyInstance): Promise<void> {
  app.get<{ Params: { id: string } }>('/v1/deliveries/:id', {
    schema: {
      tags: ['deliveries'],
      summary: 'One delivery and its attempts',
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
      response: { 200: DELIVERY }
    }
  }, async (request) => {
    const found = UUID.test(request.params.id) ? await deliveryOf(app.db, request.principal.clientId, request.params.id) : undefined
    if (found === undefined) throw new NotFound(`Delivery ${request.params.id} does not exist`)
    return found
  })

  app.get<{ Params: { code: string }, Querystring: { limit?: string, cursor?: string } }>('/v1/dossiers/:code/deliveries', {
    schema: {
      tags: ['deliveries'],
      summary: 'The deliveries of one dossier, in accepted order',
      params: { type: 'object', properties: { code: { type: 'string', maxLength: 64 } }, required: ['code'] },
      querystring: { type: 'object', additionalProperties: false, properties: pageQuery(1000, 100) },
      response: { 200: pageSchema(DELIVERY) }
    }
  }, async (request) => {
    const page = await deliveriesOfDossier(app.db, request.principal.clientId, request.params.code, readPage(request.query, 100))
    if (page.items.length === 0 && request.query.cursor === undefined) throw new NotFound(`Dossier ${request.params.code} is unknown`)
    return page
  })
}
