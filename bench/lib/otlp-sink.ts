import { createServer } from 'node:http'
import { once } from 'node:events'

export interface OtlpSink { url: string, exports: () => number, close: () => Promise<void> }

/** An OTLP/HTTP endpoint that accepts and discards what the gateway exports (traces and metrics), counting trace exports. */
export async function otlpSink (): Promise<OtlpSink> {
  let traces = 0
  const server = createServer((req, res) => {
    if (req.url === '/v1/traces') traces++
    req.resume()
    req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }).end('{}') })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    exports: () => traces,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
