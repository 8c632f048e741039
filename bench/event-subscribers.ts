/**
 * The provincial systems of bench/events.ts, in a process of their own (their CPU apart from the gateway's): one
 * plain node:http server per province on a free loopback port, answering 204 to every webhook. Each counts the
 * event ids it received (distinct and repeated) and, for events whose `data.summary` is `t=<epoch ms>`, the time
 * from the source to here. Parent messages: 'stats' → `{ stats }`, 'reset' → `{ reset: true }`.
 */
import { createServer, type Server } from 'node:http'
import { serve } from './lib/child.js'

interface Sub { ids: Set<string>, received: number }

const count = Number(process.argv[2] ?? 34)
const subs: Sub[] = []
let latencies: number[] = []
const servers: Server[] = []

function handler (sub: Sub): Parameters<typeof createServer>[1] {
  return (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const at = Date.now()
      sub.received++
      const id = req.headers['webhook-id']
      if (typeof id === 'string') sub.ids.add(id)
      const m = /"summary":"t=(\d+)"/.exec(Buffer.concat(chunks).toString('utf8'))
      if (m !== null) latencies.push(at - Number(m[1]))
      res.statusCode = 204
      res.end()
    })
  }
}

serve(async () => {
  const urls: string[] = []
  for (let i = 0; i < count; i++) {
    const sub: Sub = { ids: new Set(), received: 0 }
    subs.push(sub)
    const server = createServer({ keepAliveTimeout: 30_000 }, handler(sub))
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    urls.push(`http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/events`)
  }
  process.on('message', (m) => {
    if (m === 'stats') {
      const cpu = process.cpuUsage()
      process.send?.({
        stats: {
          received: subs.reduce((n, s) => n + s.received, 0),
          distinct: subs.reduce((n, s) => n + s.ids.size, 0),
          perSubscriber: subs.map((s) => s.ids.size),
          latencies,
          cpuMs: (cpu.user + cpu.system) / 1000
        }
      })
    } else if (m === 'reset') {
      for (const s of subs) { s.ids.clear(); s.received = 0 }
      latencies = []
      process.send?.({ reset: true })
    }
  })
  return {
    info: { urls },
    close: async () => { await Promise.all(servers.map(async (s) => await new Promise((resolve) => { s.closeAllConnections(); s.close(resolve) }))) }
  }
})
