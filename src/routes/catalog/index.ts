import type { FastifyInstance } from 'fastify'
import { SERVICES, getService } from '../../catalog/services.js'
import { getSchema } from '../../catalog/schemas.js'
import { ServiceNotFound } from '../../errors.js'
import { pageOfList, pageQuery, pageSchema, readPage } from '../../lib/page.js'

const summary = (s: (typeof SERVICES)[number]): Record<string, string> =>
  ({ id: s.id, version: s.version, kind: s.kind, title: s.title, description: s.description })

const summaryProps = {
  id: { type: 'string' },
  version: { type: 'string' },
  kind: {
    type: 'string',
    enum: ['lookup', 'delivery', 'procedure', 'step', 'source'],
    description: 'lookup: a synchronous read; delivery: a queued write; procedure: an interlinked filing; step: a call the procedure engine makes; source: a change feed the gateway pulls events from'
  },
  title: { type: 'string' },
  description: { type: 'string' }
}
const serviceSummary = { type: 'object', required: ['id', 'version', 'kind', 'title', 'description'], properties: summaryProps }
const serviceDetail = {
  type: 'object',
  required: ['id', 'version', 'kind', 'title', 'description', 'requestSchema', 'responseSchema'],
  properties: {
    ...summaryProps,
    requestSchema: { type: 'object', additionalProperties: true, description: 'JSON Schema (draft-07) of the request body' },
    responseSchema: { type: 'object', additionalProperties: true, description: 'JSON Schema (draft-07) of the answer' }
  }
}

/** Metaservices (architecture.md §3.2): the services a caller may use, each with its JSON Schemas. */
export default async function catalogRoutes (app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', app.authenticate)

  const visible = (roles: string[], grants: string[]): typeof SERVICES =>
    roles.includes('admin') || roles.includes('auditor') ? SERVICES : SERVICES.filter((s) => grants.includes(s.id))

  app.get<{ Querystring: { limit?: string, cursor?: string } }>('/v1/services', {
    schema: {
      tags: ['catalogue'],
      summary: 'Services this caller may use',
      querystring: { type: 'object', additionalProperties: false, properties: pageQuery(100, 100) },
      response: { 200: pageSchema(serviceSummary) }
    }
  }, async (request) =>
    pageOfList(visible(request.principal.roles, request.principal.grants).map(summary), readPage(request.query, 100)))

  app.get<{ Params: { id: string } }>('/v1/services/:id', {
    schema: {
      tags: ['catalogue'],
      summary: 'One service with its request and response JSON Schemas',
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
      response: { 200: serviceDetail }
    }
  }, async (request) => {
    const service = getService(request.params.id)
    if (service === undefined || !visible(request.principal.roles, request.principal.grants).includes(service)) {
      throw new ServiceNotFound(request.params.id)
    }
    return { ...summary(service), requestSchema: getSchema(service.requestSchemaId), responseSchema: getSchema(service.responseSchemaId) }
  })
}
