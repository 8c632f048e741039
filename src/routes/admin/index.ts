import type { FastifyInstance } from 'fastify'
import clientRoutes from './clients.js'

/** Everything under /v1/admin: bearer token with the role `admin`. */
export default async function adminRoutes (app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', app.authenticate)
  app.addHook('preHandler', app.requireRole('admin'))
  await app.register(clientRoutes)
}
