import type { FastifyInstance } from 'fastify'
import { getSchema } from '../../catalog/schemas.js'
import { NotFound } from '../../errors.js'
import type { EventType } from '../../events/catalogue.js'

const summary = (t: EventType): Record<string, unknown> =>
  ({ id: t.id, version: t.version, title: t.title, description: t.description, schema: t.schema, producers: t.producers })

/** The catalogue of event types (any authenticated caller): what can be subscribed to, with each data schema. */
export default async function eventTypeRoutes (app: FastifyInstance): Promise<void> {
  app.get('/v1/event-types', { schema: { tags: ['events'], summary: 'Event types that can be subscribed to' } },
    async () => app.events.catalogue.types.map(summary))

  app.get<{ Params: { id: string } }>('/v1/event-types/:id', {
    schema: {
      tags: ['events'],
      summary: 'One event type with the JSON Schema of its data and of the envelope delivered',
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] }
    }
  }, async (request) => {
    const t = app.events.catalogue.get(request.params.id)
    if (t === undefined) throw new NotFound(`Event type ${request.params.id} does not exist`)
    return { ...summary(t), dataSchema: getSchema(t.schema), envelopeSchema: getSchema('event.envelope') }
  })
}
