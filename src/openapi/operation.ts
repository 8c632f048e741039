import type { FastifySchema, RouteOptions } from 'fastify'
import { problemResponse, problemStatuses } from './problems.js'

declare module 'fastify' {
  interface FastifySchema {
    /** Problem statuses this route answers beyond the ones every route of its kind may (src/openapi/problems.ts). */
    problems?: readonly number[]
    /**
     * Request parts the handler checks itself (after authorisation, with the catalogue's validator): documented as if
     * declared, never validated by fastify.
     */
    checkedByHandler?: { body?: object, headers?: object }
  }
}

/** `citizen.lookup` → `citizenLookup`; `.well-known` → `WellKnown` when `upper`. */
export function camel (text: string, upper = false): string {
  const words = text.split(/[^A-Za-z0-9]+/).filter((w) => w !== '')
  return words.map((w, i) => i === 0 && !upper ? w : w[0].toUpperCase() + w.slice(1)).join('')
}

/** A stable operationId from the method and the path: `POST /v1/admin/clients/:id/secret` → `postAdminClientsByIdSecret`. */
export function operationIdOf (method: string, url: string): string {
  const words = url.split('/').filter((s) => s !== '' && s !== 'v1')
    .map((s) => s.startsWith(':') ? `By${camel(s.slice(1), true)}` : camel(s, true))
  return `${method.toLowerCase()}${words.join('')}`
}

function mergeHeaders (declared: unknown, checked: object | undefined): unknown {
  if (checked === undefined) return declared
  if (declared === undefined) return checked
  const a = declared as { properties?: object, required?: string[] }
  const b = checked as { properties?: object, required?: string[] }
  return { type: 'object', properties: { ...a.properties, ...b.properties }, required: [...(a.required ?? []), ...(b.required ?? [])] }
}

/**
 * @fastify/swagger's `transform`: what the OpenAPI document says of one route, from its own schema plus the rules
 * every route follows — an operationId and a summary even when the route gives none, the parts its handler checks
 * itself, and a problem+json response for every error status it may answer. Security is the document's default
 * (a bearer token) unless the route says `security: []`.
 */
export function documentRoute ({ schema, url, route }: { schema: FastifySchema, url: string, route: RouteOptions }): { schema: FastifySchema, url: string } {
  const method = (Array.isArray(route.method) ? route.method[0] : route.method).toUpperCase()
  const out: FastifySchema = { ...schema }
  out.operationId ??= operationIdOf(method, url)
  out.summary ??= `${method} ${url}`
  const checked = schema.checkedByHandler
  if (checked?.body !== undefined) out.body = checked.body
  out.headers = mergeHeaders(schema.headers, checked?.headers)
  if (out.headers === undefined) delete out.headers
  delete out.checkedByHandler
  delete out.problems
  const secured = schema.security === undefined || schema.security.length > 0
  const responses: Record<string, unknown> = { ...(schema.response as Record<string, unknown> | undefined) }
  for (const status of problemStatuses(method, url, secured, schema.problems)) responses[String(status)] ??= problemResponse(status)
  out.response = responses
  return { schema: out, url }
}
