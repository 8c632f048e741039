import type { FastifyInstance } from 'fastify'
import { idempotencyOf } from '../../deliveries/idempotency.js'
import { auditDelivery } from '../../deliveries/audit.js'
import { auditProcedureAction } from './audit-action.js'
import { getService, type ServiceDefinition } from '../../catalog/services.js'
import { subjectValues } from '../../catalog/subjects.js'
import { Forbidden, NotFound, ValidationFailed } from '../../errors.js'
import { cancelCase, supplement, type Supplement } from '../../procedures/actions.js'
import { assertActsFor } from '../../procedures/agency.js'
import { fileCase } from '../../procedures/filing.js'
import { caseView } from '../../procedures/views.js'
import { caseIdParams, caseSchema, groupIdParams, reasonBody, supplementBody } from './schemas.js'
import procedureAdminRoutes from './admin.js'
import { inRequest, inSupplement } from './errors.js'

const FILING = getService('procedure.filing') as ServiceDefinition
/** The answer to a filing: the new case (202) or the existing one of a repeated filing (200). */
const FILED = { $ref: 'procedure.filed#' }

/**
 * Interlinked procedures (role `system`): one filing → a case run across the national systems; its graph and
 * statuses; the applicant's supplement; withdrawal. Admin routes (role `admin`) are registered beside them.
 */
export default async function procedureRoutes (app: FastifyInstance): Promise<void> {
  await app.register(systemRoutes)
  await app.register(procedureAdminRoutes)
}

async function systemRoutes (app: FastifyInstance): Promise<void> {
  const { engine, groups } = app.procedures
  app.addHook('onRequest', app.authenticate)
  app.addHook('preHandler', app.requireRole('system'))
  app.addHook('preHandler', async (request) => {
    if (!request.principal.grants.includes(FILING.id)) throw new Forbidden(`Client is not granted ${FILING.id}`)
  })
  const limit = app.limits.forService(() => FILING.id)

  app.post<{ Params: { groupId: string }, Body: Record<string, unknown> }>('/v1/procedures/:groupId', {
    preHandler: limit,
    schema: {
      tags: ['procedures'],
      summary: 'File one case of an interlinked procedure group (form 01: birth, form 02: death)',
      params: groupIdParams,
      description: 'The body is the group\'s form (its `filingSchema`: procedure.birth.filing for `birth`, ' +
        'procedure.death.filing for `death`); a repeated filing with the same Idempotency-Key answers its case (200). ' +
        'The client acts only for the agencies an admin lists for it (403 AGENCY_NOT_ALLOWED otherwise).',
      body: { type: 'object' },
      problems: [409, 429],
      response: { 200: FILED, 202: FILED }
    }
  }, async (request, reply) => {
    const group = await groups.current(request.params.groupId)
    if (group === undefined) throw new NotFound(`No procedure group "${request.params.groupId}"`)
    const body = request.body
    const checked = engine.validator.validate(group.def.filingSchema, body, 'body')
    if (!checked.ok) throw Object.assign(new ValidationFailed(`The filing does not match ${group.def.filingSchema}`), { errors: checked.errors })
    assertActsFor(request.principal, body.agencyCode as string)
    const idem = idempotencyOf(request.headers['idempotency-key'], `procedure:${group.id}`, body.dossierCode as string, body)
    const filed = await fileCase(engine, { clientId: request.principal.clientId, group, filing: body, idem, traceparent: request.traceparent })
      .catch((err: unknown) => { throw inRequest(err) })
    const answer = { caseId: filed.caseId, dossierCode: filed.dossierCode, status: filed.status, traceId: request.traceId }
    if (filed.kind === 'existing') return await reply.code(200).send(answer)
    auditDelivery(app, {
      kind: 'procedure.filed',
      outcome: 'ok',
      traceId: request.traceId,
      spanId: request.spanId,
      requestId: request.id,
      clientId: request.principal.clientId,
      purpose: group.def.dossier.procedureCode,
      caseId: filed.caseId,
      service: FILING.id,
      httpStatus: 202,
      requestHash: idem.bodyHash,
      subjects: subjectValues(FILING, body),
      details: {
        group: group.id,
        version: group.version,
        dossierCode: filed.dossierCode,
        hops: [{ hop: 'filed', offsetMs: 0, group: group.id, steps: group.def.steps.map((s) => ({ id: s.id, dependsOn: [...group.deps.get(s.id) ?? []] })) }]
      }
    })
    return await reply.code(202).send(answer)
  })

  app.get<{ Params: { id: string } }>('/v1/procedures/cases/:id', {
    schema: { tags: ['procedures'], summary: 'A case: the graph of steps, their statuses, attempts, outputs (identifiers masked), deadlines, portal dossiers', params: caseIdParams, response: { 200: caseSchema } }
  }, async (request) => {
    const view = await caseView(app.db, groups, request.params.id, request.principal.clientId)
    if (view === undefined) throw new NotFound(`No case ${request.params.id}`)
    return view
  })

  app.post<{ Params: { id: string }, Body: Supplement }>('/v1/procedures/cases/:id/supplements', {
    schema: {
      tags: ['procedures'],
      summary: 'The applicant\'s supplement: missing documents (and corrected data); resumes the steps waiting for it',
      params: caseIdParams,
      body: supplementBody,
      problems: [409],
      response: { 202: { type: 'object', properties: { caseId: { type: 'string' }, resumed: { type: 'array', items: { type: 'string' } } } } }
    }
  }, async (request, reply) => {
    const resumed = await supplement(engine, request.params.id, request.principal.clientId, request.body)
      .catch((err: unknown) => { throw inRequest(err, inSupplement) })
    auditProcedureAction(app, request, request.params.id, { action: 'supplement', resumed }, FILING.id)
    return await reply.code(202).send({ caseId: request.params.id, resumed })
  })

  app.post<{ Params: { id: string }, Body: { reason: string } }>('/v1/procedures/cases/:id/cancel', {
    schema: { tags: ['procedures'], summary: 'Withdraw a case (the applicant\'s withdrawal)', params: caseIdParams, body: reasonBody, problems: [409], response: { 200: caseSchema } }
  }, async (request) => {
    await cancelCase(engine, request.params.id, request.principal.clientId, request.body.reason)
    auditProcedureAction(app, request, request.params.id, { action: 'cancel', reason: request.body.reason }, FILING.id)
    return await caseView(app.db, groups, request.params.id)
  })
}
