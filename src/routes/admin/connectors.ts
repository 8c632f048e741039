import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Conflict, NotFound } from '../../errors.js'
import type { InstanceInput } from '../../connectors/store.js'
import { pageOf, pageOfList, pageQuery, pageSchema, readPage } from '../../lib/page.js'
import {
  CONNECTOR_ID, connectorCreate, connectorHealth, connectorReplace, connectorType, connectorView, type ConnectorBody
} from './connector-schemas.js'
import { auditAdminChange } from './audit-change.js'

const params = { type: 'object', properties: { id: CONNECTOR_ID }, required: ['id'] } as const
const FORCE = { type: 'string', enum: ['true', 'false'], description: 'true: apply even if a granted service is left without a route' }
const forceQuery = { type: 'object', properties: { force: FORCE }, additionalProperties: false } as const
const listQuery = { type: 'object', additionalProperties: false, properties: pageQuery(1000, 100) } as const
/** Checks of the body are reported under /body/… (docs/api-conventions.md). */
const inBody = (): string => '/body'

type ListQuery = { limit?: string, cursor?: string }

const toInput = (id: string, b: ConnectorBody): InstanceInput =>
  ({ id, type: b.type, services: b.services, provinces: b.provinces ?? null, config: b.config, enabled: b.enabled ?? true })

/**
 * Admin: connector types (code) and connector instances (data), live on every gateway instance. What GET answers
 * can be PUT back as it is (secrets stay masked and are kept); its `version` makes the PUT conditional.
 */
export default async function connectorRoutes (app: FastifyInstance): Promise<void> {
  const { admin, store, types } = app.connectors
  const view = admin.view.bind(admin)

  async function settled (): Promise<void> {
    // This instance applies its own change at once; the others get it through the change feed.
    await app.connectors.reload()
  }

  app.get<{ Querystring: ListQuery }>('/v1/admin/connector-types', {
    schema: { tags: ['admin'], summary: 'Connector types, with the JSON Schema of their config', querystring: listQuery, response: { 200: pageSchema(connectorType) } }
  }, async (request) => pageOfList(
    types.list().map((t) => ({ type: t.type, version: t.version, description: t.description, services: t.services, secretFields: t.secretFields, configSchema: t.configSchema })),
    readPage(request.query, 100)))

  app.get<{ Querystring: ListQuery }>('/v1/admin/connectors', {
    schema: { tags: ['admin'], summary: 'Connector instances, by id', querystring: listQuery, response: { 200: pageSchema(connectorView) } }
  }, async (request) => {
    const page = readPage(request.query, 100)
    const after = (await store.list()).filter((r) => page.after === undefined || r.id > page.after)
    return pageOf(after.slice(0, page.limit + 1), page.limit, (r) => r.id, view)
  })

  app.get<{ Params: { id: string } }>('/v1/admin/connectors/:id', {
    schema: { tags: ['admin'], summary: 'One connector instance', params, response: { 200: connectorView } }
  }, async (request) => {
    const found = await store.get(request.params.id)
    if (found === undefined) throw new NotFound(`Connector ${request.params.id} does not exist`)
    return view(found)
  })

  app.post<{ Body: ConnectorBody & { id: string }, Querystring: { force?: string } }>('/v1/admin/connectors', {
    schema: { tags: ['admin'], summary: 'Add a connector instance', body: connectorCreate, querystring: forceQuery, problems: [409], response: { 201: connectorView } }
  }, async (request, reply) => {
    if (await store.get(request.body.id) !== undefined) throw new Conflict(`Connector ${request.body.id} already exists`)
    const { after } = await admin.apply({ upserts: [toInput(request.body.id, request.body)], deletes: [], force: request.query.force === 'true', pathOf: inBody })
    const created = after.find((r) => r.id === request.body.id)
    await settled()
    auditAdminChange(app, request, { entity: 'connector', id: request.body.id, action: 'create', after: created !== undefined ? view(created) : undefined })
    return await reply.code(201).send(created !== undefined ? view(created) : undefined)
  })

  app.put<{ Params: { id: string }, Body: ConnectorBody, Querystring: { force?: string } }>('/v1/admin/connectors/:id', {
    schema: {
      tags: ['admin'],
      summary: 'Replace a connector instance (what GET answers can be sent back)',
      params,
      body: connectorReplace,
      querystring: forceQuery,
      problems: [409],
      response: { 200: connectorView }
    }
  }, async (request: FastifyRequest<{ Params: { id: string }, Body: ConnectorBody, Querystring: { force?: string } }>) => {
    const { id } = request.params
    if (request.body.id !== undefined && request.body.id !== id) throw new Conflict('The id in the body differs from the one in the path')
    const before = await store.get(id)
    if (before === undefined) throw new NotFound(`Connector ${id} does not exist`)
    const versions = request.body.version !== undefined ? new Map([[id, request.body.version]]) : undefined
    const { after } = await admin.apply({ upserts: [toInput(id, request.body)], deletes: [], force: request.query.force === 'true', pathOf: inBody, versions })
    const updated = after.find((r) => r.id === id)
    await settled()
    auditAdminChange(app, request, { entity: 'connector', id, action: 'update', before: view(before), after: updated !== undefined ? view(updated) : undefined })
    return updated !== undefined ? view(updated) : undefined
  })

  app.delete<{ Params: { id: string }, Querystring: { force?: string } }>('/v1/admin/connectors/:id', {
    schema: {
      tags: ['admin'],
      summary: 'Remove a connector instance',
      params,
      querystring: forceQuery,
      problems: [409],
      response: { 204: { type: 'null', description: 'Removed' } }
    }
  }, async (request, reply) => {
    const before = await store.get(request.params.id)
    if (before === undefined) throw new NotFound(`Connector ${request.params.id} does not exist`)
    await admin.apply({ upserts: [], deletes: [request.params.id], force: request.query.force === 'true' })
    await settled()
    auditAdminChange(app, request, { entity: 'connector', id: request.params.id, action: 'delete', before: view(before) })
    return await reply.code(204).send()
  })

  app.post('/v1/admin/secrets/reencrypt', {
    schema: {
      tags: ['admin'],
      summary: 'Re-encrypt connector secrets under the active key',
      response: { 200: { type: 'object', required: ['reencrypted', 'activeKeyId'], properties: { reencrypted: { type: 'integer' }, activeKeyId: { type: 'string' } } } }
    }
  }, async (request) => {
    const reencrypted = await admin.reencryptAll()
    await settled()
    auditAdminChange(app, request, { entity: 'secrets', id: 'connectors', action: 'reencrypt', after: { reencrypted } })
    return { reencrypted, activeKeyId: app.connectors.secrets.activeKeyId }
  })

  app.get<{ Params: { id: string } }>('/v1/admin/connectors/:id/health', {
    schema: { tags: ['admin'], summary: 'Health of one connector instance: probes, latency, errors, circuit', params, response: { 200: connectorHealth } }
  }, async (request) => {
    const inst = app.connectors.get(request.params.id)
    if (inst === undefined) {
      if (await store.get(request.params.id) === undefined) throw new NotFound(`Connector ${request.params.id} does not exist`)
      return { id: request.params.id, state: 'down', circuit: 'closed', lastCheckAt: null, p50Ms: null, p99Ms: null, errorRate: 0, calls: 0, detail: 'instance not running' }
    }
    return app.connectors.health.of(inst)
  })
}
