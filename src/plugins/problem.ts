import { STATUS_CODES } from 'node:http'
import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { ErrorObject } from 'ajv'
import { MethodNotAllowed, NotFound, ServiceUnavailable } from '../errors.js'
import { bearerChallenge } from '../auth/challenges.js'
import { isDependencyFailure } from '../lib/dependency-failure.js'
import { RouteTable } from '../lib/route-table.js'
import { explainErrors, type RequestPart } from '../catalog/explain-errors.js'

export interface ProblemDetail { path: string, message: string }

/** Fastify's own error codes that are the client's doing, with the stable code each becomes. */
const FASTIFY_CODES: Record<string, { status: number, code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'VALIDATION_FAILED' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'VALIDATION_FAILED' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'VALIDATION_FAILED' },
  FST_ERR_BAD_URL: { status: 400, code: 'VALIDATION_FAILED' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: 'VALIDATION_FAILED' }
}

const BY_STATUS: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'VALIDATION_FAILED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  502: 'UPSTREAM_ERROR',
  503: 'SERVICE_UNAVAILABLE',
  504: 'UPSTREAM_TIMEOUT'
}

const OUR_CODE = /^[A-Z][A-Z_]+$/

function classify (err: FastifyError): { status: number, code: string } {
  const known = FASTIFY_CODES[err.code]
  if (known !== undefined) return known
  if (isDependencyFailure(err)) return { status: 503, code: 'SERVICE_UNAVAILABLE' }
  // PostgreSQL "data exception" (class 22: NUL bytes, out-of-range dates…): the client's input, not our fault.
  if (typeof err.code === 'string' && /^22[0-9A-Z]{3}$/.test(err.code) && (err as { severity?: unknown }).severity !== undefined) {
    return { status: 400, code: 'VALIDATION_FAILED' }
  }
  if (err.validation !== undefined) return { status: 400, code: 'VALIDATION_FAILED' }
  if (typeof err.code === 'string' && err.code.startsWith('FST_JWT_')) return { status: 401, code: 'UNAUTHORIZED' }
  if (typeof err.code === 'string' && err.code.startsWith('FAST_JWT_')) return { status: 401, code: 'UNAUTHORIZED' }
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
  if (status >= 500 && !(typeof err.code === 'string' && OUR_CODE.test(err.code) && err.code !== 'INTERNAL')) {
    return { status: 500, code: 'INTERNAL' }
  }
  if (typeof err.code === 'string' && OUR_CODE.test(err.code)) return { status, code: err.code }
  return { status, code: BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED') }
}

const PARTS: Record<string, RequestPart> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' }

function validationDetails (err: FastifyError): ProblemDetail[] | undefined {
  const fromErr = (err as { errors?: ProblemDetail[] }).errors
  if (Array.isArray(fromErr)) return fromErr
  if (err.validation === undefined) return undefined
  return explainErrors(err.validation as ErrorObject[], PARTS[err.validationContext ?? 'body'] ?? 'body')
}

/** The RFC 9457 body of an error, with its status and stable code (what `sendProblem` sends). */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  instance: string
  code: string
  traceId?: string
  errors?: ProblemDetail[]
  candidates?: unknown[]
}

/** The problem an error becomes, and the Retry-After it carries; 5xx internals are logged here, never answered. */
export function problemOf (request: FastifyRequest, err: FastifyError): { problem: Problem, retryAfter?: number } {
  const { status, code } = classify(err)
  if (status >= 500 && code === 'INTERNAL') request.log.error({ err }, 'request failed')
  else if (status >= 500) request.log.warn({ code, err: err.message }, 'upstream or dependency failure')
  const dependency = code === 'SERVICE_UNAVAILABLE' && isDependencyFailure(err)
  // every 503 says when to come back: the error's own estimate, else the dependencies' setting
  const retryAfter = (err as { retryAfterSeconds?: number }).retryAfterSeconds ?? (status === 503 ? request.server.config.dependencies.retryAfterSeconds : undefined)
  const errors = code === 'VALIDATION_FAILED' || code === 'SECRET_REQUIRED' ? validationDetails(err) : undefined
  const problem: Problem = {
    type: `urn:lienthong:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail: code === 'INTERNAL'
      ? 'The gateway failed to process the request; it has been logged'
      : dependency
        ? 'A service the gateway depends on is unavailable; retry later'
        : (err as { severity?: unknown }).severity !== undefined
            ? 'A value in the request is not acceptable (for example a NUL character or an impossible date)'
            : err.validation !== undefined && errors !== undefined ? `Invalid request: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}` : err.message,
    instance: request.url.split('?')[0],
    code,
    traceId: request.traceId,
    errors,
    candidates: (err as { candidates?: unknown[] }).candidates
  }
  return { problem, retryAfter }
}

export function sendProblem (request: FastifyRequest, reply: FastifyReply, err: FastifyError): FastifyReply {
  const { problem, retryAfter } = problemOf(request, err)
  if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter))
  // RFC 6750 §3: every 401 says how to authenticate (the auth plugin gives the error of a refused token).
  if (problem.status === 401) void reply.header('www-authenticate', (err as { wwwAuthenticate?: string }).wwwAuthenticate ?? bearerChallenge())
  return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(problem)
}

/** Renders every error as RFC 9457 problem+json with a stable `code` (architecture.md §3). */
export default fp(async function problem (app) {
  app.setErrorHandler((err: FastifyError, request, reply) => sendProblem(request, reply, err))
  // A known path asked with another method: 405 with the methods it answers (RFC 9110 §15.5.6), else 404.
  const routes = new RouteTable()
  app.addHook('onRoute', (route) => { routes.add(route.method, route.url) })
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]
    const allow = routes.allowed(path)
    if (allow.length === 0) return sendProblem(request, reply, new NotFound(`No route ${request.method} ${path}`))
    void reply.header('allow', allow.join(', '))
    return sendProblem(request, reply, new MethodNotAllowed(`${path} answers ${allow.join(', ')}, not ${request.method}`))
  })
  // Shutting down (fastify's own 503 is off: `return503OnClosing: false`): a request still arriving on an open
  // keep-alive connection gets a problem+json 503, before any work, and the connection is closed after it.
  let closing = false
  app.addHook('preClose', async () => { closing = true })
  // A callback hook: on every request, so no promise for the common case.
  app.addHook('onRequest', (_request, _reply, done) => {
    done(closing ? Object.assign(new ServiceUnavailable('The gateway is shutting down; retry (another instance will answer)'), { retryAfterSeconds: 1 }) : undefined)
  })
}, { name: 'problem' })

/** A whole HTTP/1.1 problem+json response for errors met below fastify, where there is no reply object. */
export function rawProblem (status: 400 | 431): string {
  const code = status === 431 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_FAILED'
  const body = JSON.stringify({
    type: `urn:lienthong:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title: STATUS_CODES[status],
    status,
    detail: status === 431 ? 'Request headers are too large' : 'Malformed HTTP request',
    code
  })
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nconnection: close\r\ncontent-type: application/problem+json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
}
