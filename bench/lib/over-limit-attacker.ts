/**
 * Worker thread of bench/over-limit.ts: the attacker's 1 MB lookup bodies on `connections` keep-alive connections,
 * as fast as they are answered, until `until` (epoch ms). In its own thread, so that writing megabytes does not
 * delay the victim's load generator in the main thread. Posts the count of answers per status, and a sample of each
 * status but 429.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { Pool } from 'undici'

const { url, token, connections, until } = workerData as { url: string, token: string, connections: number, until: number }
const pool = new Pool(url, { connections, pipelining: 1 })
const body = JSON.stringify({ personalId: '079203001234', pad: 'x'.repeat(1_000_000) })
const statuses: Record<string, number> = {}
/** The first answer of each status other than 429, to say what the others were. */
const samples: Record<string, string> = {}
await Promise.all(Array.from({ length: connections }, async () => {
  while (Date.now() < until) {
    try {
      const res = await pool.request({
        method: 'POST',
        path: '/v1/lookups/citizen.lookup',
        body,
        headers: { authorization: `Bearer ${token}`, 'x-purpose': '1.000894', 'content-type': 'application/json' },
        headersTimeout: 30_000,
        bodyTimeout: 30_000
      })
      if (res.statusCode !== 429 && samples[res.statusCode] === undefined) samples[res.statusCode] = (await res.body.text()).slice(0, 300)
      else await res.body.dump()
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'error'
      statuses[code] = (statuses[code] ?? 0) + 1
    }
  }
}))
await pool.close()
parentPort?.postMessage({ statuses, samples })
