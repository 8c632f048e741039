import type { FastifyRequest } from 'fastify'
import { PurposeNotAllowed, PurposeRequired, ValidationFailed } from '../errors.js'
import { purposeAllowed, purposeCode } from '../auth/grants.js'

export interface LookupContext { purpose: string, caseId?: string, endUser?: string }

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const PRINTABLE = /^[^\u0000-\u001f\u007f]+$/

/** The lookup headers and their longest value, as checked here and documented in the OpenAPI document. */
const MAX = { 'x-purpose': 256, 'x-case-id': 128, 'x-end-user': 128 } as const

function header (request: FastifyRequest, name: keyof typeof MAX): string | undefined {
  const max = MAX[name]
  const raw = request.headers[name]
  const value = Array.isArray(raw) ? raw[0] : raw
  if (value === undefined) return undefined
  const v = value.trim()
  if (v === '') return undefined
  if (v.length > max || !PRINTABLE.test(v)) {
    throw Object.assign(new ValidationFailed(`Header ${name} must be printable text of at most ${max} characters`),
      { errors: [{ path: `/headers/${name}`, message: `must be printable text of at most ${max} characters` }] })
  }
  return v
}

/** X-Purpose: required on lookups, dossiers and progress steps. */
export function purposeHeader (request: FastifyRequest): string {
  const purpose = header(request, 'x-purpose')
  if (purpose === undefined) throw new PurposeRequired()
  return purpose
}

/**
 * A purpose's code (its first word) must be one the caller's grant of `serviceId` allows (src/auth/grants.ts),
 * else 403 PURPOSE_NOT_ALLOWED.
 */
export function assertPurpose (request: FastifyRequest, serviceId: string, purpose: string): void {
  const allowed = request.principal.purposes[serviceId]
  const code = purposeCode(purpose)
  if (purposeAllowed(allowed, code)) return
  const expected = allowed === undefined
    ? 'a procedure code of the national catalogue (such as 1.000894)'
    : `one of ${allowed.slice(0, 10).join(', ')}${allowed.length > 10 ? ', …' : ''}`
  throw new PurposeNotAllowed(`Purpose "${code.slice(0, 64)}" is not allowed by this client's grant of ${serviceId}: give ${expected}`)
}

/** The legal context of a lookup: X-Purpose (required), X-Case-Id and X-End-User (optional). */
export function lookupContext (request: FastifyRequest): LookupContext {
  return { purpose: purposeHeader(request), caseId: header(request, 'x-case-id'), endUser: header(request, 'x-end-user') }
}

const text = (name: keyof typeof MAX, description: string): object =>
  ({ type: 'string', minLength: 1, maxLength: MAX[name], description: `${description} Printable text.` })

/** The headers `lookupContext` reads, as a JSON Schema (documented for every lookup; checked by the handler). */
export const lookupHeadersSchema = {
  type: 'object',
  required: ['x-purpose'],
  properties: {
    'x-purpose': text('x-purpose', 'The legal purpose of the lookup, e.g. the code of the administrative procedure (1.000894).'),
    'x-case-id': text('x-case-id', 'The case (dossier) the lookup is made for, recorded in the audit trail.'),
    'x-end-user': text('x-end-user', 'The official who asked, recorded in the audit trail.')
  }
}
