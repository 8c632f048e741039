/**
 * Bench child, scenario (b): the Node.js ceiling for any gateway. A minimal Fastify server that passes every POST
 * through to the upstream given as argument with an undici Pool (keep-alive, as many connections as the gateway's
 * connector): no parsing, no auth, no logging, no validation. Reports `{ url }` to the parent over IPC.
 *
 *   node dist/bench/baseline-proxy.js http://127.0.0.1:PORT [connections]
 */
import Fastify from 'fastify'
import { Pool } from 'undici'
import { serve } from './lib/child.js'

serve(async () => {
  const [upstream, connections = '64'] = process.argv.slice(2)
  if (upstream === undefined) throw new Error('usage: baseline-proxy.js <upstream-url> [connections]')
  const pool = new Pool(upstream, { connections: Number(connections), keepAliveTimeout: 10_000 })
  const app = Fastify({ logger: false })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => { done(null, body) })
  app.post('/*', async (request, reply) => {
    const res = await pool.request({
      method: 'POST',
      path: request.url,
      headers: { 'content-type': request.headers['content-type'] ?? 'application/json' },
      body: request.body as Buffer
    })
    void reply.code(res.statusCode).header('content-type', res.headers['content-type'])
    return Buffer.from(await res.body.arrayBuffer())
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { info: { url }, close: async () => { await app.close(); await pool.close() } }
})
