import type { FastifyInstance } from 'fastify'
import { auditProcedureAction } from './audit-action.js'
import { NotFound, ValidationFailed } from '../../errors.js'
import { decideStep } from '../../procedures/actions.js'
import { caseView, listCases, type CaseFilter } from '../../procedures/views.js'
import { pageOfList, pageQuery, pageSchema, readPage } from '../../lib/page.js'
import { auditAdminChange } from '../admin/audit-change.js'
import { inRequest } from './errors.js'
import { caseIdParams, caseSchema, reasonBody, stepParams } from './schemas.js'

const groupParams = { type: 'object', properties: { id: { type: 'string', pattern: '^[a-z][a-z0-9-]{1,39}$' } }, required: ['id'] }
const caseItem = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    clientId: { type: 'string' },
    group: { type: 'string' },
    groupVersion: { type: 'integer' },
    status: { type: 'string' },
    overdue: { type: 'boolean' },
    agencyCode: { type: 'string' },
    provinceCode: { type: 'string' },
    dossierCode: { type: 'string' },
    procedures: { type: 'array', items: { type: 'string' } },
    filedAt: { type: 'string' },
    finishedAt: { type: 'string' }
  }
}

/** One group as GET /v1/admin/procedure-groups lists it: its current version and definition. */
const groupSummary = {
  type: 'object',
  required: ['id', 'version', 'source', 'updatedAt', 'updatedBy', 'definition'],
  properties: {
    id: { type: 'string' },
    version: { type: 'integer', description: 'Incremented by each change; running cases keep the version they were filed with.' },
    source: { type: 'string', enum: ['file', 'admin'], description: '`file`: config/procedures/*.json; `admin`: changed through the API.' },
    updatedAt: { type: 'string', format: 'date-time' },
    updatedBy: { type: ['string', 'null'], description: 'The admin client of the last change; null for a file.' },
    definition: { $ref: 'procedure-group#' }
  }
}
const saved = {
  type: 'object',
  required: ['id', 'version', 'unchanged'],
  properties: {
    id: { type: 'string' },
    version: { type: 'integer' },
    unchanged: { type: 'boolean', description: 'true: the definition equals the current one; no new version.' }
  }
}

interface ListQuery extends CaseFilter { limit?: string, cursor?: string }

/** Admin (role `admin`): cases by status, group, province and date; retry or skip a failed step; the groups as data. */
export default async function procedureAdminRoutes (app: FastifyInstance): Promise<void> {
  const { engine, groups } = app.procedures
  app.addHook('onRequest', app.authenticate)
  app.addHook('onRequest', app.requireRole('admin'))

  app.get<{ Querystring: ListQuery }>('/v1/admin/procedure-cases', {
    schema: {
      tags: ['admin'],
      summary: 'Cases, newest first (filed within [from, to)), cursor-paginated',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          status: { type: 'string', enum: ['running', 'awaiting-supplement', 'needs-attention', 'completed', 'completed-with-failures', 'cancelled'] },
          group: { type: 'string', maxLength: 40 },
          province: { type: 'string', pattern: '^\\d{2}$' },
          from: { type: 'string', format: 'date-time' },
          to: { type: 'string', format: 'date-time' },
          ...pageQuery(1000, 50)
        }
      },
      response: { 200: pageSchema(caseItem) }
    }
  }, async (request) => {
    const { limit, cursor, ...filter } = request.query
    return await listCases(app.db, filter, readPage({ limit, cursor }, 50))
  })

  app.get<{ Params: { id: string } }>('/v1/admin/procedure-cases/:id', {
    schema: { tags: ['admin'], summary: 'One case (any client\'s)', params: caseIdParams, response: { 200: caseSchema } }
  }, async (request) => {
    const view = await caseView(app.db, groups, request.params.id)
    if (view === undefined) throw new NotFound(`No case ${request.params.id}`)
    return view
  })

  for (const action of ['retry', 'skip'] as const) {
    app.post<{ Params: { id: string, stepId: string }, Body: { reason: string } }>(`/v1/admin/procedure-cases/:id/steps/:stepId/${action}`, {
      schema: {
        tags: ['admin'],
        summary: action === 'retry'
          ? 'Retry a step that ran out of retries (same step key, fresh attempts; the steps behind it wait again)'
          : 'Skip a step that ran out of retries (the case goes on without it)',
        params: stepParams,
        body: reasonBody,
        problems: [409],
        response: { 200: caseSchema }
      }
    }, async (request) => {
      const { id, stepId } = request.params
      await decideStep(engine, id, stepId, action, request.body.reason, request.principal.clientId)
      auditAdminChange(app, request, { entity: 'procedure-step', id: `${id}/${stepId}`, action, after: { reason: request.body.reason } })
      auditProcedureAction(app, request, id, { action, step: stepId, reason: request.body.reason })
      return await caseView(app.db, groups, id)
    })
  }

  app.get<{ Querystring: { limit?: string, cursor?: string } }>('/v1/admin/procedure-groups', {
    schema: {
      tags: ['admin'],
      summary: 'Procedure groups (current versions), by id',
      querystring: { type: 'object', additionalProperties: false, properties: pageQuery(200, 100) },
      response: { 200: pageSchema(groupSummary) }
    }
  }, async (request) => pageOfList(await groups.list(), readPage(request.query, 100)))

  app.get<{ Params: { id: string } }>('/v1/admin/procedure-groups/:id', {
    schema: { tags: ['admin'], summary: 'One procedure group (its current definition)', params: groupParams, response: { 200: { $ref: 'procedure-group#' } } }
  }, async (request) => {
    const found = (await groups.list()).find((g) => g.id === request.params.id)
    if (found === undefined) throw new NotFound(`No procedure group "${request.params.id}"`)
    return found.definition
  })

  app.put<{ Params: { id: string }, Body: Record<string, unknown> }>('/v1/admin/procedure-groups/:id', {
    schema: {
      tags: ['admin'],
      summary: 'Add or change a procedure group (checked: shape, services, inputs, cycles); running cases keep their version',
      description: 'The body is a procedure group (schemas/procedure-group.json); what GET answers can be PUT back.',
      params: groupParams,
      body: { type: 'object' },
      response: { 200: saved }
    }
  }, async (request) => {
    if (request.body.id !== request.params.id) {
      throw Object.assign(new ValidationFailed('The group id in the body must be the one in the URL'), { errors: [{ path: '/body/id', message: `must be "${request.params.id}"` }] })
    }
    const result = await groups.save(request.body, request.principal.clientId).catch((err: unknown) => { throw inRequest(err) })
    if (!result.unchanged) auditAdminChange(app, request, { entity: 'procedure-group', id: request.params.id, action: 'put', after: { version: result.version } })
    return { id: request.params.id, ...result }
  })

  app.delete<{ Params: { id: string } }>('/v1/admin/procedure-groups/:id', {
    schema: {
      tags: ['admin'],
      summary: 'Remove a procedure group (no new filing; its cases run on)',
      params: groupParams,
      response: { 204: { type: 'null', description: 'Removed' } }
    }
  }, async (request, reply) => {
    if (!await groups.remove(request.params.id)) throw new NotFound(`No procedure group "${request.params.id}"`)
    auditAdminChange(app, request, { entity: 'procedure-group', id: request.params.id, action: 'delete' })
    return await reply.code(204).send()
  })
}
