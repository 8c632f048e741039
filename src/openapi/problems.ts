import { STATUS_CODES } from 'node:http'
import { codesOf } from './problem-codes.js'

/** The methods whose requests may carry a body (and so meet the body limit and the media-type check). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * The problem statuses an operation may answer: what every route may answer (400 — an unknown query parameter
 * is one —, 500, 503 while overloaded or shutting down), 401 and 403 behind a bearer token, 413 and 415 with a
 * body, 404 with path parameters, and the ones the route declares (`schema.problems`).
 */
export function problemStatuses (method: string, url: string, secured: boolean, declared: readonly number[] = []): number[] {
  const statuses = new Set<number>([400, 500, 503, ...declared])
  if (secured) for (const s of [401, 403]) statuses.add(s)
  if (BODY_METHODS.has(method.toUpperCase())) for (const s of [413, 415]) statuses.add(s)
  if (/\/[:{]/.test(url)) statuses.add(404)
  return [...statuses].sort((a, b) => a - b)
}

const WHEN: Readonly<Record<number, string>> = {
  400: 'The request is invalid; `errors` names each field by a JSON Pointer into the request (`/body/…`, `/query/…`, `/params/…`, `/headers/…`)',
  401: 'No valid bearer token',
  403: 'The client lacks the role or the grant this operation needs',
  404: 'Not found',
  405: 'The path does not answer this method; `Allow` lists the ones it does',
  409: 'The request conflicts with the current state (for example a stale `version`)',
  413: 'The request body is too large',
  415: 'The request Content-Type is not one this operation accepts',
  422: 'An administrative unit of the request is ambiguous; `candidates` lists the units it may mean',
  429: 'Rate limit or daily quota exceeded; retry after `Retry-After` seconds',
  500: 'The gateway failed; the failure is logged under `traceId`',
  502: 'The national system answered with an error',
  503: 'The gateway, a dependency or the national system is unavailable; retry after `Retry-After` seconds',
  504: 'The national system did not answer in time'
}

const RETRY_AFTER = { 'retry-after': { type: 'integer', minimum: 0, description: 'Seconds to wait before retrying.' } }

/** The response of one problem status: problem+json with the `problem` schema, the codes it may carry. */
export function problemResponse (status: number): object {
  const codes = codesOf(status)
  return {
    description: `${WHEN[status] ?? STATUS_CODES[status] ?? 'Error'}${codes.length > 0 ? ` (${codes.join(', ')})` : ''}.`,
    content: { 'application/problem+json': { schema: { $ref: 'problem#' } } },
    ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {})
  }
}
