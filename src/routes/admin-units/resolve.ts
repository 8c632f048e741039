import type { FastifyInstance } from 'fastify'
import type { ResolveInput } from '../../admin-units/index.js'
import { resolveBody, resolveResult, TAGS } from './schemas.js'

/** Old province / district / commune codes or names, with the date of the record → today's units. */
export default async function resolveRoutes (app: FastifyInstance): Promise<void> {
  app.post<{ Body: { items: ResolveInput[] } }>('/v1/admin-units/resolve', {
    schema: {
      tags: TAGS,
      summary: 'Resolve up to 1,000 old codes or names (with a date) to today\'s units, in the same order',
      body: resolveBody,
      response: { 200: { type: 'object', properties: { results: { type: 'array', items: resolveResult } } } }
    }
  }, async (request) => ({ results: app.adminUnits.resolve(request.body.items) }))
}
