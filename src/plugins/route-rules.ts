import fp from 'fastify-plugin'
import type { RouteOptions } from 'fastify'
import { UnsupportedMediaType } from '../errors.js'

/** What a route body may be when its schema does not say (`schema.consumes`, as in the OpenAPI document). */
export const DEFAULT_CONSUMES: readonly string[] = ['application/json']

const NO_QUERY = Object.freeze({ type: 'object', additionalProperties: false, properties: {} })

/** Every route refuses query parameters it does not declare: an empty querystring schema, or `additionalProperties: false`. */
function strictQuery (route: RouteOptions): void {
  const schema = route.schema ?? {}
  const query = schema.querystring as { type?: unknown, additionalProperties?: unknown } | undefined
  if (query === undefined) route.schema = { ...schema, querystring: NO_QUERY }
  else if (query.type === 'object' && query.additionalProperties === undefined) {
    route.schema = { ...schema, querystring: { ...query, additionalProperties: false } }
  }
}

const essence = (type: string): string => type.split(';')[0].trim().toLowerCase()

/**
 * Rules every route follows, declared once here rather than per route (docs/api-conventions.md):
 * - an unknown query parameter is 400 VALIDATION_FAILED (`/query/<name>`);
 * - a request with a Content-Type the route does not consume (`schema.consumes`, default application/json) is
 *   415 UNSUPPORTED_MEDIA_TYPE before its body is read, text/plain included (fastify would parse it as a string).
 * Register before any route: `onRoute` sees only the routes added after it.
 */
export default fp(async function routeRules (app) {
  app.addHook('onRoute', strictQuery)
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const type = request.headers['content-type']
    if (type === undefined || request.method === 'GET' || request.method === 'HEAD' || request.is404) {
      done(null, payload)
      return
    }
    const consumes = (request.routeOptions.schema?.consumes as readonly string[] | undefined) ?? DEFAULT_CONSUMES
    if (consumes.includes(essence(type))) done(null, payload)
    else done(new UnsupportedMediaType(`Content-Type ${essence(type)} is not accepted here; send ${consumes.join(' or ')}`))
  })
}, { name: 'route-rules' })
