import fp from 'fastify-plugin'
import { AdminUnits } from '../admin-units/index.js'

declare module 'fastify' {
  interface FastifyInstance { adminUnits: AdminUnits }
}

/** The dated administrative-unit tables, loaded once per process (about 200 ms, 11 MB) and shared read-only. */
let shared: AdminUnits | undefined

export default fp(async function adminUnits (app) {
  shared ??= AdminUnits.load()
  app.decorate('adminUnits', shared)
}, { name: 'admin-units' })
