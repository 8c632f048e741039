import type { FastifyInstance } from 'fastify'
import clientRoutes from './clients.js'
import connectorRoutes from './connectors.js'
import configRoutes from './config.js'
import tokenRoutes from './tokens.js'
import deliveryRoutes from './deliveries.js'
import { adminChangeAudit } from './audit-change.js'
import subscriptionRoutes from './subscriptions.js'
import eventSourceRoutes from './event-sources.js'
import overviewRoutes from './overview.js'
import connectorCheckRoutes from './connector-check.js'

/** Everything under /v1/admin: bearer token with the role `admin`. */
export default async function adminRoutes (app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', app.authenticate)
  // the role is checked before the body is validated: a caller without it learns nothing of the schemas
  app.addHook('onRequest', app.requireRole('admin'))
  app.addHook('onSend', adminChangeAudit(app))
  await app.register(clientRoutes)
  await app.register(connectorRoutes)
  await app.register(configRoutes)
  await app.register(tokenRoutes)
  await app.register(deliveryRoutes)
  await app.register(subscriptionRoutes)
  await app.register(eventSourceRoutes)
  await app.register(overviewRoutes)
  await app.register(connectorCheckRoutes)
}
