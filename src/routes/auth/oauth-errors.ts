import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { problemOf, type Problem } from '../../plugins/problem.js'
import { basicChallenge } from '../../auth/challenges.js'

/** RFC 6749 §5.2 `error` of each stable code the token endpoint can answer. */
function oauthError (p: Problem): string {
  if (p.code === 'UNSUPPORTED_GRANT_TYPE') return 'unsupported_grant_type'
  if (p.status === 401) return 'invalid_client'
  if (p.status === 429 || p.status === 503) return 'temporarily_unavailable'
  if (p.status >= 500) return 'server_error'
  return 'invalid_request'
}

/**
 * The token endpoint's errors as OAuth 2.0 clients read them (RFC 6749 §5.2): `application/json` with `error` and
 * `error_description`, the problem's own fields beside them (`code`, `status`, `detail`, …) in the same body;
 * `Cache-Control: no-store`. A 401 challenges HTTP Basic when the client authenticated with it (§5.2: MUST); with
 * credentials in the body it carries no challenge, so that clients read the body's `error` (docs/api-conventions.md).
 */
export function sendOAuthError (request: FastifyRequest, reply: FastifyReply, err: FastifyError): FastifyReply {
  const { problem, retryAfter } = problemOf(request, err)
  if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter))
  if (problem.status === 401 && /^basic /i.test(request.headers.authorization ?? '')) void reply.header('www-authenticate', basicChallenge)
  return reply.code(problem.status).header('cache-control', 'no-store').header('pragma', 'no-cache')
    .type('application/json; charset=utf-8')
    .send({ error: oauthError(problem), error_description: problem.detail, ...problem })
}

const OAUTH_ERROR = {
  type: 'object',
  required: ['error', 'status', 'code'],
  // the problem's fields (type, title, detail, instance, traceId, errors) are there too
  additionalProperties: true,
  properties: {
    error: { type: 'string', enum: ['invalid_request', 'invalid_client', 'unsupported_grant_type', 'temporarily_unavailable', 'server_error'] },
    error_description: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string' }
  }
}

/** The OpenAPI responses of the token endpoint's errors: RFC 6749 §5.2 JSON, not problem+json. */
export function oauthErrorResponses (statuses: readonly number[]): Record<number, object> {
  return Object.fromEntries(statuses.map((s) => [s, {
    description: `OAuth 2.0 error (RFC 6749 §5.2)${s === 429 || s === 503 ? '; retry after `Retry-After` seconds' : ''}`,
    content: { 'application/json': { schema: OAUTH_ERROR } }
  }]))
}
