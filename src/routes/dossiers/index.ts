import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { getService, type ServiceDefinition } from '../../catalog/services.js'
import { createValidator } from '../../catalog/validator.js'
import { notActingFor, type AcceptInput, type DeliveryService } from '../../deliveries/accept.js'
import { agencyOfDossier } from '../../auth/agencies.js'
import { assertPurpose, lookupHeadersSchema, purposeHeader } from '../../lookups/headers.js'
import { acceptGrouped } from '../../deliveries/accept-group.js'
import { auditDelivery } from '../../deliveries/audit.js'
import { errorCode } from '../../audit/lookup-audit.js'
import type { AuditOutcome } from '../../audit/types.js'
import { idempotencyHeaderSchema, idempotencyOf } from '../../deliveries/idempotency.js'
import { Forbidden, ServiceUnavailable, ValidationFailed } from '../../errors.js'
import deliveryReadRoutes from './deliveries.js'

const accepted = {
  200: { description: 'The delivery of an earlier identical request', $ref: 'delivery.accepted#' },
  202: { description: 'Recorded and queued for delivery', $ref: 'delivery.accepted#' }
}
/** X-Purpose (required: the procedure the dossier is for, allowed by the client's grant) and Idempotency-Key. */
const dossierHeaders = {
  type: 'object',
  required: ['x-purpose'],
  properties: { 'x-purpose': lookupHeadersSchema.properties['x-purpose'], ...idempotencyHeaderSchema.properties }
}
const codeParams = { type: 'object', properties: { code: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['code'] }

type Body = Record<string, unknown>

const invalid = (message: string, errors: Array<{ path: string, message: string }>): Error =>
  Object.assign(new ValidationFailed(message), { errors })

const DATE_FIELDS = ['dueAt', 'resultAt', 'completedAt'] as const

/** Date checks beyond the schema's formats: a dossier is not due, returned or completed before it was received. */
function dateErrors (body: Body): Array<{ path: string, message: string }> | undefined {
  let errors: Array<{ path: string, message: string }> | undefined
  let received: number | undefined
  for (const f of DATE_FIELDS) {
    const v = body[f]
    if (typeof v !== 'string') continue
    received ??= Date.parse(String(body.receivedAt))
    if (Date.parse(v) < received) (errors ??= []).push({ path: `/body/${f}`, message: 'must not be before receivedAt' })
  }
  return errors
}

/** What a dossier route needs of its service, found once: the definition and its subject fields as paths. */
interface Route { service: ServiceDefinition, subjectPaths: ReadonlyArray<readonly string[]> }

function routeOf (id: DeliveryService): Route {
  const service = getService(id) as ServiceDefinition
  return { service, subjectPaths: service.subjectFields.map((f) => f.split('.')) }
}

function subjectsOf (route: Route, body: Body): string[] {
  const out: string[] = []
  for (const path of route.subjectPaths) {
    let v: unknown = body
    for (const k of path) v = (v as Body | undefined)?.[k]
    if (typeof v === 'string') out.push(v)
  }
  return out
}

/** The outcome of a refused dossier call, named as a refused lookup's is. */
function refusedOutcome (status: number): AuditOutcome {
  if (status === 401 || status === 403 || status === 429) return 'denied'
  if (status === 404) return 'not_found'
  return status < 500 ? 'invalid' : 'error'
}

/** Set on a request whose delivery event the handler already wrote (accepted, even if not queued). */
const kAudited = Symbol('lienthong.deliveryAudited')
type Audited = FastifyRequest & { [kAudited]?: boolean }

/**
 * Dossier deliveries (architecture.md §3.4, role `system`): accepted only once recorded in PostgreSQL AND
 * queued in Redis (202); a repeated request gets its delivery (200); without Redis the delivery stays recorded
 * for the reconciler and the caller gets 503.
 */
export default async function dossierRoutes (app: FastifyInstance): Promise<void> {
  const validator = createValidator()
  const record = acceptGrouped(app.db, app.queues.deliveries)
  app.addHook('onRequest', app.authenticate)
  app.addHook('onRequest', app.requireRole('system'))
  app.decorateRequest(kAudited, false)

  const routes = { 'dossier.sync': routeOf('dossier.sync'), 'dossier.progress': routeOf('dossier.progress') }

  // Every refused dossier or progress call of an authenticated client (400, 403, 404, 409, 429, 5xx) is a
  // `delivery.refused` event, as a refused lookup is a `lookup` event (401s are the auth plugin's `auth.failed`).
  app.addHook('onSend', async (request, reply, payload) => {
    const status = reply.statusCode
    if (status < 400 || request.method !== 'POST' || (request as Audited)[kAudited] === true || request.principal === null || request.principal === undefined) return payload
    const serviceId: DeliveryService = request.routeOptions.url === '/v1/dossiers' ? 'dossier.sync' : 'dossier.progress'
    const body = request.body
    const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? body as Body : undefined
    const code = serviceId === 'dossier.sync' ? fields?.code : (request.params as { code?: unknown } | undefined)?.code
    auditDelivery(app, {
      kind: 'delivery.refused',
      outcome: refusedOutcome(status),
      traceId: request.traceId,
      spanId: request.spanId,
      requestId: request.id,
      clientId: request.principal.clientId,
      caseId: typeof code === 'string' ? code.slice(0, 64) : undefined,
      service: serviceId,
      httpStatus: status,
      durationMs: reply.elapsedTime,
      errorCode: errorCode(status, payload),
      subjects: fields !== undefined ? subjectsOf(routes[serviceId], fields) : undefined
    })
    return payload
  })

  async function accept (request: FastifyRequest, reply: FastifyReply, serviceId: DeliveryService, code: string, body: Body): Promise<FastifyReply> {
    const route = routes[serviceId]
    const service = route.service
    if (!request.principal.grants.includes(service.id)) throw new Forbidden(`Client is not granted ${service.id}`)
    assertPurpose(request, service.id, purposeHeader(request))
    // Decided from the code alone, before the database is asked: a foreign code answers the same, known or not.
    const agencies = request.principal.agencies
    if (serviceId === 'dossier.progress' && !agencies.allows(agencyOfDossier(code))) throw notActingFor(code)
    const checked = validator.validate(service.requestSchemaId, body, 'body')
    if (!checked.ok) throw invalid(`Request body does not match ${service.requestSchemaId}`, checked.errors)
    if (serviceId === 'dossier.sync') {
      if (!agencies.allows(agencyOfDossier(code)) || !agencies.allows(body.agencyCode as string)) throw notActingFor(code)
      const errors = dateErrors(body)
      if (errors !== undefined) throw invalid('Dossier dates are inconsistent', errors)
    }
    const input: AcceptInput = {
      clientId: request.principal.clientId,
      service: serviceId,
      dossierCode: code,
      status: body.status as number,
      payload: body,
      idem: idempotencyOf(request.headers['idempotency-key'], serviceId, code, body),
      // This hop's trace context as answered to the caller (with its sampled flag), for the worker to continue
      traceparent: request.traceparent
    }
    const { accepted: result, notQueued } = await record(input)
    const answer = { deliveryId: result.deliveryId, dossierCode: result.dossierCode, status: result.status }
    // An earlier identical request: its delivery (queued again by the group when still queued).
    if (result.kind === 'existing') return await reply.code(200).send(answer)
    const accepted = {
      kind: 'delivery.accepted' as const,
      outcome: 'ok' as const,
      traceId: request.traceId,
      spanId: request.spanId,
      requestId: request.id,
      clientId: request.principal.clientId,
      caseId: code,
      service: serviceId,
      requestHash: input.idem.bodyHash,
      subjects: subjectsOf(route, body)
    }
    ;(request as Audited)[kAudited] = true
    if (notQueued !== undefined) {
      request.log.warn({ deliveryId: result.deliveryId, err: notQueued.message }, 'delivery recorded but not queued')
      // Recorded, so it will be delivered (the reconciler queues it): the trail has it, with the 503 answered.
      auditDelivery(app, { ...accepted, httpStatus: 503, details: { deliveryId: result.deliveryId, queued: false } })
      throw Object.assign(new ServiceUnavailable('The delivery is recorded but could not be queued: it will be delivered; ' +
        'repeat the request with the same Idempotency-Key to get its id'), { retryAfterSeconds: app.config.dependencies.retryAfterSeconds })
    }
    auditDelivery(app, { ...accepted, httpStatus: 202, details: { deliveryId: result.deliveryId } })
    return await reply.code(202).send(answer)
  }

  // Per-client rate limit and daily quota of each service (the client's `limits`, else RATE_LIMIT_PER_SECOND and
  // QUOTA_PER_DAY), checked before the body is read or anything is recorded: 429 with Retry-After.
  const syncLimit = app.limits.forService(() => 'dossier.sync')
  const progressLimit = app.limits.forService(() => 'dossier.progress')

  app.post<{ Body: Body }>('/v1/dossiers', {
    onRequest: syncLimit,
    schema: {
      tags: ['deliveries'],
      summary: 'Create or update a dossier on the National Public Service Portal',
      checkedByHandler: { body: { $ref: 'dossier.sync.request#' }, headers: dossierHeaders },
      problems: [404, 409, 429],
      response: accepted
    }
  }, async (request, reply) => {
    const body = request.body
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('Expected a JSON object', [{ path: '/body', message: 'must be an object' }])
    return await accept(request, reply, 'dossier.sync', typeof body.code === 'string' ? body.code : '', body)
  })

  app.post<{ Params: { code: string }, Body: Body }>('/v1/dossiers/:code/progress', {
    onRequest: progressLimit,
    schema: {
      tags: ['deliveries'],
      summary: 'Record a processing step of a dossier on the portal',
      params: codeParams,
      checkedByHandler: { body: { $ref: 'dossier.progress.request#' }, headers: dossierHeaders },
      problems: [409, 429],
      response: accepted
    }
  }, async (request, reply) => {
    const body = request.body
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('Expected a JSON object', [{ path: '/body', message: 'must be an object' }])
    return await accept(request, reply, 'dossier.progress', request.params.code, body)
  })

  await app.register(deliveryReadRoutes)
}
