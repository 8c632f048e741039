import type { FastifyInstance } from 'fastify'
import resolveRoutes from './resolve.js'
import unitRoutes from './units.js'

/** Everything under /v1/admin-units (issue 6): bearer token with the role `system` or `admin`. */
export default async function adminUnitRoutes (app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', app.authenticate)
  app.addHook('preHandler', app.requireRole('system', 'admin'))
  await app.register(unitRoutes)
  await app.register(resolveRoutes)
}
