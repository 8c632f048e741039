import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Conflict, NotFound } from '../../errors.js'
import type { Client, ClientInput, ClientPatch } from '../../auth/clients.js'
import { pageQuery, pageSchema, readPage } from '../../lib/page.js'
import { auditAdminChange } from './audit-change.js'
import { AGENCIES, assertClientRules, CLIENT_ID, clientView as client, GRANTS, ROLES } from './client-schemas.js'

const NAME = { type: 'string', minLength: 1, maxLength: 200 }
const LIMITS = {
  type: 'object',
  additionalProperties: false,
  description: 'This client\'s own limits per service; the gateway\'s defaults for what is left out.',
  properties: { perSecond: { type: 'integer', minimum: 1, maximum: 100_000 }, perDay: { type: 'integer', minimum: 0, maximum: 1_000_000_000 } }
}
const VERSION = { type: 'integer', minimum: 1, description: 'The version read: the write is refused (409) if the client changed since.' }
/** What GET shows but no write changes: accepted in a body (so that a GET can be sent back) and ignored. */
const READ_ONLY = {
  createdAt: { type: 'string', maxLength: 40, readOnly: true },
  updatedAt: { type: 'string', maxLength: 40, readOnly: true },
  secretRotatedAt: { type: 'string', maxLength: 40, readOnly: true }
}
const writable = { name: NAME, roles: ROLES, grants: GRANTS, agencies: AGENCIES, enabled: { type: 'boolean' }, limits: LIMITS }
const params = { type: 'object', properties: { id: CLIENT_ID }, required: ['id'] }

interface Params { id: string }
type Written = ClientPatch & { id?: string, version?: number, createdAt?: string, updatedAt?: string, secretRotatedAt?: string }

/** The changeable fields of a body (read-only ones dropped); 409 when its `id` is not the path's. */
function changesOf (request: FastifyRequest<{ Params: Params, Body: Written }>): { changes: ClientPatch, version?: number } {
  const { id, version, createdAt: _c, updatedAt: _u, secretRotatedAt: _s, ...changes } = request.body
  if (id !== undefined && id !== request.params.id) throw new Conflict('The id in the body differs from the one in the path')
  return { changes, version }
}

/**
 * Admin: API clients (architecture.md §3.5). Secrets are shown once, on creation and rotation. What GET answers can
 * be sent back as it is to PUT or PATCH; `version` makes the write conditional.
 */
export default async function clientRoutes (app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { limit?: string, cursor?: string } }>('/v1/admin/clients', {
    schema: {
      tags: ['admin'],
      summary: 'Clients, by id',
      querystring: { type: 'object', additionalProperties: false, properties: pageQuery(1000, 100) },
      response: { 200: pageSchema(client) }
    }
  }, async (request) => await app.clients.page(readPage(request.query, 100)))

  app.post<{ Body: ClientInput }>('/v1/admin/clients', {
    schema: {
      tags: ['admin'],
      summary: 'Register a client; its secret is in the answer, and only there',
      body: { type: 'object', required: ['id', 'name', 'roles'], additionalProperties: false, properties: { id: CLIENT_ID, ...writable } },
      problems: [409],
      response: { 201: { type: 'object', required: ['client', 'secret'], properties: { client, secret: { type: 'string' } } } }
    }
  }, async (request, reply) => {
    assertClientRules(request.body, '/body')
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

  app.get<{ Params: Params }>('/v1/admin/clients/:id', { schema: { tags: ['admin'], summary: 'One client', params, response: { 200: client } } },
    async (request) => {
      const found = await app.clients.get(request.params.id)
      if (found === undefined) throw new NotFound(`Client ${request.params.id} does not exist`)
      return found
    })

  async function write (request: FastifyRequest<{ Params: Params, Body: Written }>, apply: (changes: ClientPatch, version?: number) => Promise<Client | undefined>): Promise<Client> {
    const { changes, version } = changesOf(request)
    assertClientRules(changes, '/body')
    const before = await app.clients.get(request.params.id)
    const updated = await apply(changes, version)
    if (updated === undefined) throw new NotFound(`Client ${request.params.id} does not exist`)
    auditAdminChange(app, request, { entity: 'client', id: request.params.id, action: 'update', before, after: updated })
    return updated
  }

  app.patch<{ Params: Params, Body: Written }>('/v1/admin/clients/:id', {
    schema: {
      tags: ['admin'],
      summary: 'Change some fields of a client',
      params,
      body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { id: CLIENT_ID, ...writable, version: VERSION, ...READ_ONLY } },
      problems: [409],
      response: { 200: client }
    }
  }, async (request) => await write(request, async (changes, version) => await app.clients.patch(request.params.id, changes, version)))

  app.put<{ Params: Params, Body: Written }>('/v1/admin/clients/:id', {
    schema: {
      tags: ['admin'],
      summary: 'Replace a client (what GET answers can be sent back); fields left out take their defaults',
      params,
      body: { type: 'object', required: ['name', 'roles'], additionalProperties: false, properties: { id: CLIENT_ID, ...writable, version: VERSION, ...READ_ONLY } },
      problems: [409],
      response: { 200: client }
    }
  }, async (request) => await write(request, async (changes, version) =>
    await app.clients.replace(request.params.id, changes as Omit<ClientInput, 'id'>, version)))

  app.delete<{ Params: Params }>('/v1/admin/clients/:id', {
    schema: { tags: ['admin'], summary: 'Delete a client', params, problems: [409], response: { 204: { type: 'null', description: 'Deleted' } } }
  }, async (request, reply) => {
    if (request.params.id === request.principal.clientId) throw new Conflict('An admin cannot delete its own client')
    const before = await app.clients.get(request.params.id)
    if (!await app.clients.delete(request.params.id)) throw new NotFound(`Client ${request.params.id} does not exist`)
    auditAdminChange(app, request, { entity: 'client', id: request.params.id, action: 'delete', before })
    return await reply.code(204).send()
  })

  app.post<{ Params: Params }>('/v1/admin/clients/:id/secret', {
    schema: {
      tags: ['admin'],
      summary: 'Rotate a client\'s secret; the new one is in the answer, and only there',
      params,
      response: { 200: { type: 'object', required: ['id', 'secret'], properties: { id: { type: 'string' }, secret: { type: 'string' } } } }
    }
  }, async (request, reply) => {
    const secret = await app.clients.rotateSecret(request.params.id)
    if (secret === undefined) throw new NotFound(`Client ${request.params.id} does not exist`)
    // the new secret is never recorded, only that it changed
    auditAdminChange(app, request, { entity: 'client', id: request.params.id, action: 'rotate-secret' })
    void reply.header('cache-control', 'no-store')
    return { id: request.params.id, secret }
  })
}
