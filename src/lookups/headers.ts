import type { FastifyRequest } from 'fastify'
import { PurposeRequired, ValidationFailed } from '../errors.js'

export interface LookupContext { purpose: string, caseId?: string, endUser?: string }

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const PRINTABLE = /^[^\u0000-\u001f\u007f]+$/

function header (request: FastifyRequest, name: string, max: number): string | undefined {
  const raw = request.headers[name]
  const value = Array.isArray(raw) ? raw[0] : raw
  if (value === undefined) return undefined
  const v = value.trim()
  if (v === '') return undefined
  if (v.length > max || !PRINTABLE.test(v)) {
    throw Object.assign(new ValidationFailed(`Header ${name} must be printable text of at most ${max} characters`),
      { errors: [{ path: `headers/${name}`, message: `must be printable text of at most ${max} characters` }] })
  }
  return v
}

/** The legal context of a lookup: X-Purpose (required), X-Case-Id and X-End-User (optional). */
export function lookupContext (request: FastifyRequest): LookupContext {
  const purpose = header(request, 'x-purpose', 256)
  if (purpose === undefined) throw new PurposeRequired()
  return { purpose, caseId: header(request, 'x-case-id', 128), endUser: header(request, 'x-end-user', 128) }
}
