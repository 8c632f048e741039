import type { FastifyInstance } from 'fastify'
import { Conflict, NotFound } from '../../errors.js'
import { CONNECTOR_ID, connectorHealth } from './connector-schemas.js'

const params = { type: 'object', properties: { id: CONNECTOR_ID }, required: ['id'] } as const

const checked = {
  type: 'object',
  required: ['ok', 'durationMs', 'health'],
  properties: {
    ok: { type: 'boolean', description: 'Whether the national system answered the type\'s probe' },
    error: { type: 'string', description: 'Why the probe failed' },
    durationMs: { type: 'integer', minimum: 0 },
    health: connectorHealth
  }
} as const

/** Admin: test a connector instance's connection now (its type's probe), with its health after the test. */
export default async function connectorCheckRoutes (app: FastifyInstance): Promise<void> {
  app.post<{ Params: { id: string } }>('/v1/admin/connectors/:id/check', {
    schema: { tags: ['admin'], summary: 'Test the connection of a connector instance now', params, problems: [409], response: { 200: checked } }
  }, async (request) => {
    const inst = app.connectors.get(request.params.id)
    if (inst === undefined) {
      if (await app.connectors.store.get(request.params.id) === undefined) throw new NotFound(`Connector ${request.params.id} does not exist`)
      throw new Conflict(`Connector ${request.params.id} is not running (disabled, or its configuration cannot be built)`)
    }
    const started = Date.now()
    const probe = await app.connectors.health.check(inst)
    return { ok: probe.ok, ...(probe.error !== undefined ? { error: probe.error } : {}), durationMs: Date.now() - started, health: app.connectors.health.of(inst) }
  })
}
