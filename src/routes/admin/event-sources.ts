import type { FastifyInstance } from 'fastify'
import { Conflict, NotFound, ValidationFailed } from '../../errors.js'
import { PushSourceStore, pullSourceStates, type PushSource } from '../../events/push-sources.js'
import { SigningSecrets } from '../../events/signing-secrets.js'
import { auditAdminChange } from './audit-change.js'

const ID = { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{2,63}$' } as const
const params = { type: 'object', properties: { id: ID }, required: ['id'] } as const
const body = {
  type: 'object',
  additionalProperties: false,
  required: ['eventTypes'],
  properties: {
    id: ID,
    description: { type: 'string', maxLength: 500 },
    eventTypes: { type: 'array', minItems: 1, maxItems: 20, uniqueItems: true, items: { type: 'string', maxLength: 64 } },
    enabled: { type: 'boolean' },
    secrets: { type: 'array', maxItems: 20 },
    createdAt: { type: 'string', maxLength: 64 },
    updatedAt: { type: 'string', maxLength: 64 }
  }
} as const
const secretView = { type: 'object', properties: { id: { type: 'string' }, createdAt: { type: 'string' }, expiresAt: { type: ['string', 'null'] } } }
const view = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    description: { type: 'string' },
    eventTypes: { type: 'array', items: { type: 'string' } },
    enabled: { type: 'boolean' },
    secrets: { type: 'array', items: secretView },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' }
  }
}

interface Body { id?: string, description?: string, eventTypes: string[], enabled?: boolean }

const viewOf = (s: PushSource): Record<string, unknown> => ({ ...s, secrets: SigningSecrets.view(s.secrets) })

/**
 * Admin: the sources of events. Push sources (national systems that send, POST /v1/events/push/{id}) with the
 * event types each may push and its whsec_ secrets (shown once, rotated with overlap); the pulled sources' state
 * (cursor, lease, totals, last error).
 */
export default async function eventSourceRoutes (app: FastifyInstance): Promise<void> {
  const store = new PushSourceStore(app.db)
  const { signing, catalogue } = app.events

  const checkTypes = (types: string[]): void => {
    const errors = types.flatMap((t, i) => catalogue.get(t) === undefined ? [{ path: `/eventTypes/${i}`, message: `unknown event type "${t}"` }] : [])
    if (errors.length > 0) throw Object.assign(new ValidationFailed('The push source is invalid'), { errors })
  }

  app.get('/v1/admin/pull-sources', { schema: { tags: ['events'], summary: 'State of the sources pulled with a cursor' } },
    async () => await pullSourceStates(app.db))

  app.get('/v1/admin/push-sources', { schema: { tags: ['events'], response: { 200: { type: 'array', items: view } } } },
    async () => (await store.list()).map(viewOf))

  app.post<{ Body: Body & { id: string } }>('/v1/admin/push-sources', {
    schema: {
      tags: ['events'],
      summary: 'Register a system that pushes events (its signing secret is shown once)',
      body: { ...body, required: ['id', 'eventTypes'] },
      response: { 201: { type: 'object', properties: { source: view, secret: { type: 'string' } } } }
    }
  }, async (request, reply) => {
    checkTypes(request.body.eventTypes)
    if (await store.get(request.body.id) !== undefined) throw new Conflict(`Push source ${request.body.id} already exists`)
    const { secrets, plain } = signing.first(request.body.id)
    const { source } = await store.save({ id: request.body.id, description: request.body.description ?? '', eventTypes: request.body.eventTypes, enabled: request.body.enabled ?? true, secrets })
    auditAdminChange(app, request, { entity: 'push-source', id: source.id, action: 'create', after: viewOf(source) })
    void reply.header('cache-control', 'no-store')
    return await reply.code(201).send({ source: viewOf(source), secret: plain })
  })

  app.get<{ Params: { id: string } }>('/v1/admin/push-sources/:id', { schema: { tags: ['events'], params, response: { 200: view } } }, async (request) => {
    const s = await store.get(request.params.id)
    if (s === undefined) throw new NotFound(`Push source ${request.params.id} does not exist`)
    return viewOf(s)
  })

  app.put<{ Params: { id: string }, Body: Body }>('/v1/admin/push-sources/:id', { schema: { tags: ['events'], params, body, response: { 200: view } } }, async (request) => {
    const before = await store.get(request.params.id)
    if (before === undefined) throw new NotFound(`Push source ${request.params.id} does not exist`)
    if (request.body.id !== undefined && request.body.id !== before.id) throw new Conflict('The id in the body differs from the one in the path')
    checkTypes(request.body.eventTypes)
    const { source } = await store.save({ ...before, description: request.body.description ?? before.description, eventTypes: request.body.eventTypes, enabled: request.body.enabled ?? true })
    auditAdminChange(app, request, { entity: 'push-source', id: source.id, action: 'update', before: viewOf(before), after: viewOf(source) })
    return viewOf(source)
  })

  app.delete<{ Params: { id: string } }>('/v1/admin/push-sources/:id', { schema: { tags: ['events'], params } }, async (request, reply) => {
    const before = await store.get(request.params.id)
    if (before === undefined || !await store.delete(request.params.id)) throw new NotFound(`Push source ${request.params.id} does not exist`)
    auditAdminChange(app, request, { entity: 'push-source', id: request.params.id, action: 'delete', before: viewOf(before) })
    return await reply.code(204).send()
  })

  app.post<{ Params: { id: string }, Body: { overlapSeconds?: number } | undefined }>('/v1/admin/push-sources/:id/secret', {
    schema: {
      tags: ['events'],
      summary: 'Rotate the secret a source signs with: shown once; the old ones are accepted during the overlap',
      params,
      body: { type: 'object', additionalProperties: false, properties: { overlapSeconds: { type: 'integer', minimum: 0, maximum: 2_592_000 } } }
    }
  }, async (request, reply) => {
    const before = await store.get(request.params.id)
    if (before === undefined) throw new NotFound(`Push source ${request.params.id} does not exist`)
    const { secrets, plain } = signing.rotate(before.id, before.secrets, request.body?.overlapSeconds ?? app.config.events.secretOverlapS)
    const { source } = await store.save({ ...before, secrets })
    auditAdminChange(app, request, { entity: 'push-source', id: source.id, action: 'rotate-secret', after: { secrets: SigningSecrets.view(secrets) } })
    void reply.header('cache-control', 'no-store')
    return { id: source.id, secret: plain, secrets: SigningSecrets.view(source.secrets) }
  })
}
