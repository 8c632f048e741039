import type { FastifyInstance } from 'fastify'
import { createValidator } from '../../catalog/validator.js'
import { Conflict, Forbidden, Unauthorized, ValidationFailed } from '../../errors.js'
import type { SourceEvent } from '../../events/ingest.js'
import { PushSourceStore } from '../../events/push-sources.js'
import { verifySignature } from '../../events/signature.js'

const invalid = (message: string, errors: Array<{ path: string, message: string }>): Error => Object.assign(new ValidationFailed(message), { errors })

/**
 * The push endpoint for national systems that can send: POST /v1/events/push/{sourceId}, signed as Standard
 * Webhooks sign (webhook-id, webhook-timestamp, webhook-signature with the source's whsec_ secret, any of those in
 * force during a rotation). Refused: an unknown or disabled source, a missing or wrong signature, a timestamp outside
 * EVENTS_PUSH_TOLERANCE_S (401); a message id already received (409: a replay); an event type the source may not
 * push (403); an invalid event (400, nothing recorded). The body is verified as received, byte for byte.
 */
export default async function pushRoutes (app: FastifyInstance): Promise<void> {
  const store = new PushSourceStore(app.db)
  const validator = createValidator()
  const tolerance = app.config.events.pushToleranceS

  // This plugin's JSON bodies stay text: the signature covers the exact bytes.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => { done(null, body) })

  app.post<{ Params: { sourceId: string }, Body: string }>('/v1/events/push/:sourceId', {
    schema: {
      tags: ['events'],
      summary: 'Push events (signed as Standard Webhooks; body: schemas event.push.message)',
      security: [],
      params: { type: 'object', properties: { sourceId: { type: 'string', maxLength: 64 } }, required: ['sourceId'] },
      headers: {
        type: 'object',
        properties: {
          'webhook-id': { type: 'string', description: 'The message id: a message id already received is refused (409)' },
          'webhook-timestamp': { type: 'string', description: 'Seconds since the epoch, within EVENTS_PUSH_TOLERANCE_S of now' },
          'webhook-signature': { type: 'string', description: '`v1,<base64 HMAC-SHA256>` of `{id}.{timestamp}.{body}` with a whsec_ secret of the source; several space-separated' }
        }
      },
      checkedByHandler: { body: { $ref: 'event.push.message#' } },
      // 401: unknown or disabled source, bad or stale signature; 403: a type the source may not push; 409: a replay
      problems: [401, 403, 409],
      response: {
        202: {
          description: 'Recorded (events already received from this source are counted as duplicates, not recorded again)',
          type: 'object',
          required: ['received', 'recorded', 'duplicates'],
          properties: { received: { type: 'integer' }, recorded: { type: 'integer' }, duplicates: { type: 'integer' } }
        }
      }
    }
  }, async (request, reply) => {
    const { sourceId } = request.params
    const source = await store.get(sourceId)
    const secrets = source !== undefined && source.enabled ? app.events.signing.active(source.id, source.secrets) : []
    const raw = typeof request.body === 'string' ? request.body : ''
    const verified = verifySignature(secrets, request.headers, raw, tolerance)
    if (source === undefined || !source.enabled || !verified.ok) {
      throw new Unauthorized(`Push refused: ${source === undefined || !source.enabled ? 'unknown or disabled source' : (verified as { reason: string }).reason}`)
    }
    let body: unknown
    try {
      body = JSON.parse(raw)
    } catch {
      throw invalid('The body is not JSON', [{ path: '/body', message: 'must be JSON' }])
    }
    const shape = validator.validate('event.push.message', body, 'body')
    if (!shape.ok) throw invalid('The body is not a list of events', shape.errors)
    const events = (body as { events: SourceEvent[] }).events
    const refused = events.findIndex((e) => !source.eventTypes.includes(e.type))
    if (refused >= 0) throw new Forbidden(`Source ${sourceId} may not push events of type ${events[refused].type}`)
    const errors = events.flatMap((e, i) => app.events.ingestCheck(e).map((x) => ({ ...x, path: `/body/events/${i}${x.path}` })))
    if (errors.length > 0) throw invalid('Some events are invalid; nothing was recorded', errors)
    const result = await app.events.publish(events, { source: sourceId, receipt: verified.id })
    if (result.refused === 'replayed') throw new Conflict(`Message ${verified.id} was already received: a replay is refused`)
    return await reply.code(202).send({ received: events.length, recorded: result.recorded.length, duplicates: result.duplicates })
  })
}
