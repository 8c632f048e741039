import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    /** Draining before a shutdown: readiness answers 503 so that load balancers stop sending new requests. */
    drain: { readonly draining: boolean, start (): void }
  }
}

/**
 * The first step of a graceful stop (server.ts, on SIGTERM): readiness goes false while the instance still serves,
 * and keep-alive connections are closed once idle so that clients reconnect through the load balancer to another
 * instance. No per-request cost: only the server's keep-alive timeout changes.
 */
export default fp(async function drain (app) {
  let draining = false
  app.decorate('drain', {
    get draining () { return draining },
    start () {
      if (draining) return
      draining = true
      if (app.server.listening) {
        app.server.keepAliveTimeout = 1
        app.server.closeIdleConnections()
      }
    }
  })
}, { name: 'drain' })
