import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify'
import type { AuditOutcome } from './types.js'
import { AuditUnavailable, DISABLED_AUDIT } from './writer.js'
import { rawBodyOf } from '../lookups/raw-body.js'

export interface LookupAttempt {
  connector: string
  n: number
  ok: boolean
  durationMs: number
  /** Milliseconds since the request was received, when the attempt ended. */
  endMs: number
  failure?: string
  upstreamStatus?: number
}

/** What the lookup handler learns on its way, for the audit event and the metrics. */
export interface LookupRecord {
  service?: string
  purpose?: string
  caseId?: string
  endUser?: string
  /** Personal identifiers of the request, in clear here; the audit writer keeps only keyed hashes. */
  subjects: string[]
  validatedMs?: number
  attempts: LookupAttempt[]
  connector?: string
  /** Refused because the audit trail is full: nothing was asked upstream and nothing can be recorded. */
  refused?: boolean
}

const kRecord = Symbol('lienthong.lookupRecord')
type WithRecord = FastifyRequest & { [kRecord]?: LookupRecord }

/** The record of this lookup, created on first use. */
export function lookupRecord (request: FastifyRequest): LookupRecord {
  const r = request as WithRecord
  r[kRecord] ??= { subjects: [], attempts: [] }
  return r[kRecord]
}

export const peekLookupRecord = (request: FastifyRequest): LookupRecord | undefined => (request as WithRecord)[kRecord]

function outcomeOf (status: number, rec: LookupRecord): AuditOutcome {
  if (status < 400) return 'ok'
  if (status === 404 && rec.attempts.length > 0) return 'not_found'
  if (status === 401 || status === 403 || status === 429) return 'denied'
  if (status < 500) return 'invalid'
  return 'error'
}

/** The stable `code` of a problem+json answer (its payload as sent), for the audit event of a refused request. */
export function errorCode (status: number, payload: unknown): string | undefined {
  if (status < 400 || typeof payload !== 'string') return undefined
  try {
    const code = (JSON.parse(payload) as { code?: unknown }).code
    return typeof code === 'string' ? code : undefined
  } catch {
    return undefined
  }
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000

/**
 * The hops of one lookup for `GET /v1/audit/traces/{traceId}`: offsets from reception, in milliseconds. Keys in
 * sorted order and no undefined values: the stored form as it is, so that preparing the event does not reorder them.
 */
function hops (rec: LookupRecord, status: number, totalMs: number): Array<Record<string, unknown>> {
  const list: Array<Record<string, unknown>> = [{ hop: 'received', offsetMs: 0 }]
  if (rec.validatedMs !== undefined) list.push({ hop: 'validated', offsetMs: round(rec.validatedMs) })
  for (const a of rec.attempts) {
    const attempt: Record<string, unknown> = {
      connector: a.connector,
      durationMs: round(a.durationMs),
      hop: 'connector.attempt',
      n: a.n,
      offsetMs: round(Math.max(0, a.endMs - a.durationMs)),
      outcome: a.ok ? 'ok' : a.failure
    }
    if (a.upstreamStatus !== undefined) attempt.upstreamStatus = a.upstreamStatus
    list.push(attempt)
  }
  list.push({ hop: 'responded', offsetMs: round(totalMs), status })
  return list
}

/**
 * The `onSend` hook of the lookups routes: one `lookup` event per authenticated lookup request, whatever its
 * outcome (401s are `auth.failed` events of the auth plugin). It runs before the response leaves: when even the
 * buffer's headroom is full, the answer is replaced by a 503 — no data is handed out unaudited.
 */
export function lookupAuditHook (app: FastifyInstance): onSendHookHandler {
  return async function auditLookup (request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    if (request.principal === null || request.principal === undefined || app.audit === DISABLED_AUDIT) return payload
    const rec = lookupRecord(request)
    if (rec.refused === true) return payload
    const status = reply.statusCode
    const totalMs = reply.elapsedTime
    const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : undefined
    const last = rec.attempts[rec.attempts.length - 1]
    try {
      app.audit.emit({
        kind: 'lookup',
        outcome: outcomeOf(status, rec),
        at: new Date(Date.now() - totalMs),
        traceId: request.traceId,
        spanId: request.spanId,
        requestId: request.id,
        clientId: request.principal.clientId,
        endUser: rec.endUser,
        purpose: rec.purpose,
        caseId: rec.caseId,
        service: rec.service ?? (request.params as { serviceId?: string } | undefined)?.serviceId,
        connector: rec.connector ?? last?.connector,
        httpStatus: status,
        upstreamStatus: last === undefined ? undefined : last.ok ? 200 : last.upstreamStatus,
        durationMs: totalMs,
        upstreamDurationMs: rec.attempts.length > 0 ? rec.attempts.reduce((s, a) => s + a.durationMs, 0) : undefined,
        requestBytes: Number(request.headers['content-length'] ?? 0),
        responseBytes: body !== undefined ? Buffer.byteLength(body) : undefined,
        // the bytes the caller sent, once they matched the service's schema (so small): a refused body — over a
        // limit, not granted, invalid — is neither serialised nor hashed (issue 22 #5); the response as sent
        requestBody: rec.validatedMs !== undefined ? rawBodyOf(request) : undefined,
        responseBody: body,
        errorCode: errorCode(status, body),
        subjects: rec.subjects,
        details: { hops: hops(rec, status, totalMs) }
      })
      return payload
    } catch (err) {
      if (!(err instanceof AuditUnavailable)) throw err
      request.log.error('lookup answer withheld: the audit trail could not record it')
      void reply.code(503).header('retry-after', String(err.retryAfterSeconds)).type('application/problem+json; charset=utf-8')
      return JSON.stringify({
        type: 'urn:lienthong:problem:service-unavailable',
        title: 'Service Unavailable',
        status: 503,
        detail: err.message,
        instance: request.url.split('?')[0],
        code: 'SERVICE_UNAVAILABLE',
        traceId: request.traceId
      })
    }
  }
}
