import type { FastifyInstance } from 'fastify'
import { getService } from '../../catalog/services.js'
import { createValidator } from '../../catalog/validator.js'
import { UpstreamFailure } from '../../connectors/contract.js'
import { Forbidden, NoRoute, NotALookup, ServiceNotFound, UpstreamError, ValidationFailed } from '../../errors.js'
import { failureToError } from '../../lookups/failure-to-error.js'
import { assertPurpose, lookupContext, lookupHeadersSchema } from '../../lookups/headers.js'
import { chooseInstances } from '../../lookups/routing.js'
import { subjectValues } from '../../catalog/subjects.js'
import { lookupAuditHook, lookupRecord } from '../../audit/lookup-audit.js'
import { AuditUnavailable } from '../../audit/writer.js'
import { keepRawJson } from '../../lookups/raw-body.js'

interface Params { serviceId: string }

/**
 * POST /v1/lookups/{serviceId}: token → role → limit → service → grant → purpose (required, allowed by the grant) → schema → audit room → connector →
 * envelope. Every authenticated lookup, refused or not, is one `lookup` audit event (written by the onSend hook).
 */
export default async function lookupRoutes (app: FastifyInstance): Promise<void> {
  const validator = createValidator()
  keepRawJson(app)
  const systemRole = app.requireRole('system')
  // The caller's limit is checked as soon as its token is (a verified token is remembered, so this is cheap),
  // before the body is read: a client over its limit costs the gateway a refusal, not a parse and a hash.
  const limited = app.limits.forService((request) => {
    const id = (request.params as Params).serviceId
    return getService(id) !== undefined ? id : 'unknown'
  })
  // token → role → limit in one hook: one turn of fastify's hook runner per lookup instead of three
  app.addHook('onRequest', async function lookupGate (request, reply) {
    await app.authenticate(request)
    await systemRole(request)
    await limited(request, reply)
  })
  app.addHook('onSend', lookupAuditHook(app))

  app.post<{ Params: Params, Body: unknown }>('/v1/lookups/:serviceId', {
    schema: {
      tags: ['lookups'],
      summary: 'Look up a citizen, land parcel, taxpayer or insurance record',
      params: { type: 'object', properties: { serviceId: { type: 'string', maxLength: 64 } }, required: ['serviceId'] },
      // the body is validated against the service's schema once the client is known to be granted it
      // (the OpenAPI document has one operation per service with its own body: src/openapi/document.ts)
      checkedByHandler: { headers: lookupHeadersSchema },
      problems: [422, 429, 502, 504]
    }
  }, async (request, reply) => {
    const started = performance.now()
    const rec = lookupRecord(request)
    const service = getService(request.params.serviceId)
    if (service === undefined) throw new ServiceNotFound(request.params.serviceId)
    if (service.kind !== 'lookup') throw new NotALookup(service.id)
    rec.service = service.id
    rec.subjects = subjectValues(service, request.body)
    if (!request.principal.grants.includes(service.id)) throw new Forbidden(`Client is not granted ${service.id}`)
    Object.assign(rec, lookupContext(request))
    assertPurpose(request, service.id, rec.purpose as string)
    const checked = validator.validate(service.requestSchemaId, request.body, 'body')
    if (!checked.ok) throw Object.assign(new ValidationFailed(`Request body does not match ${service.requestSchemaId}`), { errors: checked.errors })
    rec.validatedMs = reply.elapsedTime
    const body = request.body as Record<string, unknown>
    // Fail closed: with the audit buffer full, nothing is asked of a national system.
    if (!app.audit.accepting()) {
      rec.refused = true
      throw new AuditUnavailable(app.config.dependencies.retryAfterSeconds)
    }

    const { instances, resolved, routedBody, provinceCode } = chooseInstances(app, service, body)
    if (instances.length === 0) throw new NoRoute(service.id, provinceCode !== undefined ? ` for province ${provinceCode}` : '')

    let lastFailure: UpstreamFailure | undefined
    for (const instance of instances) {
      try {
        // the call carries this hop's trace context; a sampled one gets a CLIENT span (tracing/client-span.ts)
        const data = await instance.lookup(service.id, routedBody, {
          idempotent: true,
          headers: { traceparent: request.traceparent },
          log: request.log,
          onAttempt: (a) => rec.attempts.push({
            connector: instance.id,
            n: a.n,
            ok: a.ok,
            durationMs: a.durationMs,
            endMs: reply.elapsedTime,
            failure: a.failure?.kind,
            upstreamStatus: a.failure?.upstreamStatus
          })
        })
        rec.connector = instance.id
        const shape = validator.validate(service.responseSchemaId, data)
        if (!shape.ok) {
          request.log.warn({ connector: instance.id, errors: shape.errors.slice(0, 5) }, 'upstream answer does not match the response schema')
          throw new UpstreamError(service.id)
        }
        return {
          data,
          meta: {
            service: service.id,
            connector: instance.id,
            traceId: request.traceId,
            durationMs: Math.round((performance.now() - started) * 10) / 10,
            ...(resolved !== undefined ? { resolved } : {})
          }
        }
      } catch (err) {
        if (!(err instanceof UpstreamFailure)) throw err
        lastFailure = err
        // Asking each province in turn (a parcel id alone): only "not here" moves on to the next one.
        if (err.kind !== 'not_found') break
      }
    }
    throw failureToError(lastFailure as UpstreamFailure, service.id)
  })
}
