import type { FastifyInstance } from 'fastify'
import { getSchema } from '../../catalog/schemas.js'
import { NotFound } from '../../errors.js'
import type { EventType } from '../../events/catalogue.js'
import { pageOfList, pageQuery, pageSchema, readPage } from '../../lib/page.js'

const summary = (t: EventType): Record<string, unknown> =>
  ({ id: t.id, version: t.version, title: t.title, description: t.description, schema: t.schema, producers: t.producers })

const summaryProps = {
  id: { type: 'string', description: 'What a subscription names in `eventTypes`' },
  version: { type: 'string' },
  title: { type: 'string' },
  description: { type: 'string' },
  schema: { type: 'string', description: '`$id` of the JSON Schema of the event\'s `data`' },
  producers: { type: 'array', items: { type: 'string' }, description: 'The systems that produce it' }
}
const eventTypeSummary = { type: 'object', required: ['id', 'version', 'title', 'description', 'schema', 'producers'], properties: summaryProps }
const eventTypeDetail = {
  type: 'object',
  required: [...eventTypeSummary.required, 'dataSchema', 'envelopeSchema'],
  properties: {
    ...summaryProps,
    dataSchema: { type: 'object', additionalProperties: true, description: 'JSON Schema of the event\'s `data`' },
    envelopeSchema: { type: 'object', additionalProperties: true, description: 'JSON Schema of the envelope delivered (event.envelope)' }
  }
}

/** The catalogue of event types (any authenticated caller): what can be subscribed to, with each data schema. */
export default async function eventTypeRoutes (app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { limit?: string, cursor?: string } }>('/v1/event-types', {
    schema: {
      tags: ['events'],
      summary: 'Event types that can be subscribed to',
      querystring: { type: 'object', additionalProperties: false, properties: pageQuery(1000, 100) },
      response: { 200: pageSchema(eventTypeSummary) }
    }
  }, async (request) => pageOfList(app.events.catalogue.types.map(summary), readPage(request.query, 100)))

  app.get<{ Params: { id: string } }>('/v1/event-types/:id', {
    schema: {
      tags: ['events'],
      summary: 'One event type with the JSON Schema of its data and of the envelope delivered',
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
      response: { 200: eventTypeDetail }
    }
  }, async (request) => {
    const t = app.events.catalogue.get(request.params.id)
    if (t === undefined) throw new NotFound(`Event type ${request.params.id} does not exist`)
    return { ...summary(t), dataSchema: getSchema(t.schema), envelopeSchema: getSchema('event.envelope') }
  })
}
