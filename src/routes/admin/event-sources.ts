import type { FastifyInstance } from 'fastify'
import { Conflict, NotFound, ValidationFailed } from '../../errors.js'
import { PushSourceStore, pullSourceStates, type PushSource } from '../../events/push-sources.js'
import { SigningSecrets } from '../../events/signing-secrets.js'
import { pageOf, pageOfList, pageQuery, pageSchema, readPage } from '../../lib/page.js'
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
const secretsView = { type: 'array', items: secretView, description: 'The secrets in force, newest first (never their values)' }
const view = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    description: { type: 'string' },
    eventTypes: { type: 'array', items: { type: 'string' } },
    enabled: { type: 'boolean' },
    secrets: secretsView,
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' }
  }
}
const pullSourceState = {
  type: 'object',
  required: ['source', 'cursor', 'leasedBy', 'leaseUntil', 'pulledAt', 'eventsTotal', 'lastError'],
  properties: {
    source: { type: 'string', description: 'A connector instance serving a source service, or `admin-units`' },
    cursor: { type: ['string', 'null'], description: 'The source\'s own cursor after the last page recorded' },
    leasedBy: { type: ['string', 'null'], description: 'The puller holding the lease' },
    leaseUntil: { type: ['string', 'null'] },
    pulledAt: { type: ['string', 'null'] },
    eventsTotal: { type: 'integer' },
    lastError: { type: ['string', 'null'] }
  }
}
const listQuery = { type: 'object', additionalProperties: false, properties: pageQuery(1000, 100) }
const rotated = {
  type: 'object',
  required: ['id', 'secret', 'secrets'],
  properties: { id: { type: 'string' }, secret: { type: 'string', description: 'The new whsec_ secret: shown here only' }, secrets: secretsView }
}
const deleted = { type: 'null', description: 'Deleted' }

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
    const errors = types.flatMap((t, i) => catalogue.get(t) === undefined ? [{ path: `/body/eventTypes/${i}`, message: `unknown event type "${t}"` }] : [])
    if (errors.length > 0) throw Object.assign(new ValidationFailed('The push source is invalid'), { errors })
  }

  app.get<{ Querystring: { limit?: string, cursor?: string } }>('/v1/admin/pull-sources', {
    schema: { tags: ['events'], summary: 'State of the sources pulled with a cursor, by source', querystring: listQuery, response: { 200: pageSchema(pullSourceState) } }
  }, async (request) => pageOfList(await pullSourceStates(app.db), readPage(request.query, 100)))

  app.get<{ Querystring: { limit?: string, cursor?: string } }>('/v1/admin/push-sources', {
    schema: { tags: ['events'], summary: 'Systems that push events, by id', querystring: listQuery, response: { 200: pageSchema(view) } }
  }, async (request) => {
    const page = readPage(request.query, 100)
    const after = (await store.list()).filter((s) => page.after === undefined || s.id > page.after)
    return pageOf(after.slice(0, page.limit + 1), page.limit, (s) => s.id, viewOf)
  })

  app.post<{ Body: Body & { id: string } }>('/v1/admin/push-sources', {
    schema: {
      tags: ['events'],
      summary: 'Register a system that pushes events (its signing secret is shown once)',
      body: { ...body, required: ['id', 'eventTypes'] },
      problems: [409],
      response: { 201: { type: 'object', required: ['source', 'secret'], properties: { source: view, secret: { type: 'string', description: 'The whsec_ secret the source signs with: shown here only' } } } }
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

  app.get<{ Params: { id: string } }>('/v1/admin/push-sources/:id', { schema: { tags: ['events'], summary: 'One push source (what can be PUT back)', params, response: { 200: view } } }, async (request) => {
    const s = await store.get(request.params.id)
    if (s === undefined) throw new NotFound(`Push source ${request.params.id} does not exist`)
    return viewOf(s)
  })

  app.put<{ Params: { id: string }, Body: Body }>('/v1/admin/push-sources/:id', {
    schema: { tags: ['events'], summary: 'Replace a push source (its secrets are kept: rotate them with POST …/secret)', params, body, problems: [409], response: { 200: view } }
  }, async (request) => {
    const before = await store.get(request.params.id)
    if (before === undefined) throw new NotFound(`Push source ${request.params.id} does not exist`)
    if (request.body.id !== undefined && request.body.id !== before.id) throw new Conflict('The id in the body differs from the one in the path')
    checkTypes(request.body.eventTypes)
    const { source } = await store.save({ ...before, description: request.body.description ?? before.description, eventTypes: request.body.eventTypes, enabled: request.body.enabled ?? true })
    auditAdminChange(app, request, { entity: 'push-source', id: source.id, action: 'update', before: viewOf(before), after: viewOf(source) })
    return viewOf(source)
  })

  app.delete<{ Params: { id: string } }>('/v1/admin/push-sources/:id', {
    schema: { tags: ['events'], summary: 'Delete a push source', params, response: { 204: deleted } }
  }, async (request, reply) => {
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
      body: { type: 'object', additionalProperties: false, properties: { overlapSeconds: { type: 'integer', minimum: 0, maximum: 2_592_000 } } },
      response: { 200: rotated }
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
