import type { FastifyInstance } from 'fastify'
import eventTypeRoutes from './types.js'
import pullRoutes from './pull.js'
import pushRoutes from './push.js'

/** Events to provincial systems (docs/events.md): the catalogue and the pull API (bearer token), the push endpoint (signed). */
export default async function eventRoutes (app: FastifyInstance): Promise<void> {
  await app.register(async (authed) => {
    authed.addHook('onRequest', authed.authenticate)
    await authed.register(eventTypeRoutes)
    await authed.register(pullRoutes)
  })
  await app.register(pushRoutes)
}
