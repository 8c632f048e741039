import type { FastifyInstance } from 'fastify'
import { Conflict, NotFound } from '../../errors.js'
import type { ClientInput, ClientPatch } from '../../auth/clients.js'
import { GRANTABLE } from '../../catalog/services.js'
import { auditAdminChange } from './audit-change.js'

const CLIENT_ID = { type: 'string', pattern: '^[A-Za-z0-9._-]{3,64}$' }
const ROLES = { type: 'array', items: { type: 'string', enum: ['system', 'admin', 'auditor'] }, minItems: 1, maxItems: 3, uniqueItems: true }
const GRANTS = { type: 'array', items: { type: 'string', enum: GRANTABLE.map((s) => s.id) }, maxItems: 100, uniqueItems: true }
const client = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    grants: { type: 'array', items: { type: 'string' } },
    enabled: { type: 'boolean' },
    limits: { type: 'object', properties: { perSecond: { type: 'integer' }, perDay: { type: 'integer' } } },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    secretRotatedAt: { type: 'string' }
  }
}
const LIMITS = {
  type: 'object',
  additionalProperties: false,
  properties: { perSecond: { type: 'integer', minimum: 1, maximum: 100_000 }, perDay: { type: 'integer', minimum: 0, maximum: 1_000_000_000 } }
}
const params = { type: 'object', properties: { id: CLIENT_ID }, required: ['id'] }

/** Admin: API clients (architecture.md §3.5). Secrets are shown once, on creation and rotation. */
export default async function clientRoutes (app: FastifyInstance): Promise<void> {
  app.get('/v1/admin/clients', { schema: { tags: ['admin'], response: { 200: { type: 'array', items: client } } } },
    async () => await app.clients.list())

  app.post<{ Body: ClientInput }>('/v1/admin/clients', {
    schema: {
      tags: ['admin'],
      body: {
        type: 'object',
        required: ['id', 'name', 'roles'],
        additionalProperties: false,
        properties: { id: CLIENT_ID, name: { type: 'string', minLength: 1, maxLength: 200 }, roles: ROLES, grants: GRANTS, enabled: { type: 'boolean' } }
      },
      response: { 201: { type: 'object', properties: { client, secret: { type: 'string' } } } }
    }
  }, async (request, reply) => {
    try {
      const created = await app.clients.create(request.body)
      auditAdminChange(app, request, { entity: 'client', id: request.body.id, action: 'create', after: created.client })
      void reply.header('cache-control', 'no-store')
      return await reply.code(201).send(created)
    } catch (err) {
      if ((err as { exists?: boolean }).exists === true) throw new Conflict(`Client ${request.body.id} already exists`)
      throw err
    }
  })

  app.get<{ Params: { id: string } }>('/v1/admin/clients/:id', { schema: { tags: ['admin'], params, response: { 200: client } } },
    async (request) => {
      const found = await app.clients.get(request.params.id)
      if (found === undefined) throw new NotFound(`Client ${request.params.id} does not exist`)
      return found
    })

  app.patch<{ Params: { id: string }, Body: ClientPatch }>('/v1/admin/clients/:id', {
    schema: {
      tags: ['admin'],
      params,
      body: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, roles: ROLES, grants: GRANTS, enabled: { type: 'boolean' }, limits: LIMITS }
      },
      response: { 200: client }
    }
  }, async (request) => {
    const before = await app.clients.get(request.params.id)
    const updated = await app.clients.patch(request.params.id, request.body)
    if (updated === undefined) throw new NotFound(`Client ${request.params.id} does not exist`)
    auditAdminChange(app, request, { entity: 'client', id: request.params.id, action: 'update', before, after: updated })
    return updated
  })

  app.delete<{ Params: { id: string } }>('/v1/admin/clients/:id', { schema: { tags: ['admin'], params } },
    async (request, reply) => {
      if (request.params.id === request.principal.clientId) throw new Conflict('An admin cannot delete its own client')
      const before = await app.clients.get(request.params.id)
      if (!await app.clients.delete(request.params.id)) throw new NotFound(`Client ${request.params.id} does not exist`)
      auditAdminChange(app, request, { entity: 'client', id: request.params.id, action: 'delete', before })
      return await reply.code(204).send()
    })

  app.post<{ Params: { id: string } }>('/v1/admin/clients/:id/secret', {
    schema: { tags: ['admin'], params, response: { 200: { type: 'object', properties: { id: { type: 'string' }, secret: { type: 'string' } } } } }
  }, async (request, reply) => {
    const secret = await app.clients.rotateSecret(request.params.id)
    if (secret === undefined) throw new NotFound(`Client ${request.params.id} does not exist`)
    // the new secret is never recorded, only that it changed
    auditAdminChange(app, request, { entity: 'client', id: request.params.id, action: 'rotate-secret' })
    void reply.header('cache-control', 'no-store')
    return { id: request.params.id, secret }
  })
}
