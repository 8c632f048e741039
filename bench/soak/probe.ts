/**
 * Loaded into a gateway process with `--import` by `npm run soak` (never by the gateway itself): every
 * SOAK_SAMPLE_MS (default 5000) it appends one JSON line to SOAK_PROBE_FILE with the process's memory and the
 * event-loop delay seen since the previous line (monitorEventLoopDelay, 10 ms resolution, resolution subtracted).
 */
import { appendFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'

const file = process.env.SOAK_PROBE_FILE
const RESOLUTION_MS = 10

if (file !== undefined && file !== '') {
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  h.enable()
  const ms = (ns: number): number => Number.isFinite(ns) ? Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100) : -1
  setInterval(() => {
    const m = process.memoryUsage()
    appendFileSync(file, JSON.stringify({
      t: Date.now(),
      rss: m.rss,
      heapUsed: m.heapUsed,
      external: m.external,
      samples: h.count,
      eldMeanMs: ms(h.mean),
      eldP50Ms: ms(h.percentile(50)),
      eldP99Ms: ms(h.percentile(99)),
      eldMaxMs: ms(h.max)
    }) + '\n')
    h.reset()
  }, Number(process.env.SOAK_SAMPLE_MS ?? 5000)).unref()
}
