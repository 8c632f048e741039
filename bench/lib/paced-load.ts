import { Pool } from 'undici'
import type { LoadResult, Target } from './load.js'

/** What a run gives, in the fields of an autocannon run's result (load.ts). */
export type PacedResult = Pick<LoadResult, 'requests' | 'durationS' | 'latencyMs' | 'ok' | 'non2xx' | 'errors' | 'timeouts' | 'statuses'>

/**
 * An open-loop load at a fixed rate: request i is due at start + i / rate, sent when due over `connections`
 * keep-alive connections (undici queues it when all are busy), and its latency is counted from when it was due, so
 * that waiting behind a slow answer counts (no coordinated omission).
 *
 * Written here because autocannon's rate mode does something else: each connection sends its share of the second's
 * requests back to back as soon as the second starts, then waits for the next one — a burst at full speed every
 * second — and its correction for coordinated omission then adds a synthetic sample for every millisecond of each
 * latency. Its p99 "at half rate" was the latency of a full-speed burst, inflated. wrk2 paces like this but is not
 * packaged for Debian.
 */
export async function pacedLoad (target: Target, rate: number, connections: number, durationS: number): Promise<PacedResult> {
  const pool = new Pool(target.url, { connections, pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 })
  const headers = { 'content-type': 'application/json', ...target.headers }
  const total = Math.floor(rate * durationS)
  const latencies = new Float64Array(total)
  const statuses: Record<string, number> = {}
  const answers: Array<Promise<void>> = []
  let sent = 0
  let errors = 0
  let timeouts = 0
  const start = performance.now()

  const send = (i: number, due: number): Promise<void> =>
    pool.request({ method: 'POST', path: target.path, headers, body: target.bodies[i % target.bodies.length] })
      .then(async (res) => {
        await res.body.dump()
        latencies[i] = performance.now() - due
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
      })
      .catch((err: { code?: string }) => {
        latencies[i] = performance.now() - due
        if (err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT') timeouts++
        else errors++
      })

  try {
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = performance.now()
        while (sent < total && start + sent * 1000 / rate <= now) {
          answers.push(send(sent, start + sent * 1000 / rate))
          sent++
        }
        if (sent < total) setTimeout(tick, 1)
        else resolve()
      }
      tick()
    })
    // the answers still on their way (each has its own 10 s deadline)
    await Promise.all(answers)
  } finally {
    await pool.close()
  }

  const sorted = Array.from(latencies.subarray(0, sent)).sort((a, b) => a - b)
  const at = (p: number): number => sorted.length === 0 ? 0 : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] * 10) / 10
  const ok = Object.entries(statuses).filter(([s]) => s.startsWith('2')).reduce((sum, [, n]) => sum + n, 0)
  const answered = Object.values(statuses).reduce((sum, n) => sum + n, 0)
  return {
    requests: answered, // as autocannon's total: requests answered, whatever their status
    durationS,
    latencyMs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) },
    ok,
    non2xx: answered - ok,
    errors,
    timeouts,
    statuses
  }
}
