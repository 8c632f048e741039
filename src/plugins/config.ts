import fp from 'fastify-plugin'
import type { Config } from '../config.js'

declare module 'fastify' {
  interface FastifyInstance { config: Config }
}

/** Makes the process's one Config available to every plugin. */
export default fp<{ config: Config }>(async function config (app, opts) {
  app.decorate('config', opts.config)
}, { name: 'config' })
