/**
 * Bench child of `npm run bench:stages`: the floor of "connection + HTTP parsing" for any Fastify gateway. A
 * Fastify server whose every POST parses its JSON body and answers a fixed JSON object of the size of a citizen
 * lookup's envelope: keep-alive connection, HTTP parser, body parse, routing, serialisation — no upstream, no
 * logging. Reports `{ url }` to the parent over IPC.
 */
import Fastify from 'fastify'
import { serve } from './lib/child.js'

serve(async () => {
  const answer = { data: { note: 'x'.repeat(600) }, meta: { service: 'citizen.lookup', connector: 'bare', traceId: '0'.repeat(32), durationMs: 1 } }
  const app = Fastify({ logger: false })
  app.post('/*', async () => answer)
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { info: { url }, close: async () => { await app.close() } }
})
