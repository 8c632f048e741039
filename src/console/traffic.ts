/** Latency bucket upper bounds (ms) of the per-minute histograms: p50/p99 are read off them. */
const BOUNDS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, Infinity]
const MINUTES = 60
const MINUTE_MS = 60_000

interface Minute { at: number, count: number, errors: number, hist: Uint32Array }

export interface MinutePoint { at: string, count: number, errors: number, p50Ms: number | null, p99Ms: number | null }
export interface SeriesSummary { key: string, perMinute: number, errorRate: number, p50Ms: number | null, p99Ms: number | null, points: MinutePoint[] }

function quantile (hist: Uint32Array, total: number, q: number): number | null {
  if (total === 0) return null
  let seen = 0
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]
    if (seen >= q * total) return Number.isFinite(BOUNDS[i]) ? BOUNDS[i] : BOUNDS[BOUNDS.length - 2]
  }
  return null
}

/**
 * Requests, errors and a latency histogram per key (`service:…`, `connector:…`) and minute, for the last hour,
 * in this gateway instance: the overview's small charts. Recording is a few array increments; nothing is kept
 * longer than an hour. p50/p99 are bucket upper bounds (Prometheus' histograms have the cluster-wide view).
 */
export class TrafficSeries {
  readonly #series = new Map<string, Minute[]>()
  readonly #now: () => number

  constructor (now: () => number = Date.now) { this.#now = now }

  record (key: string, ms: number, failed: boolean): void {
    const at = Math.floor(this.#now() / MINUTE_MS) * MINUTE_MS
    let minutes = this.#series.get(key)
    if (minutes === undefined) { minutes = []; this.#series.set(key, minutes) }
    let m = minutes[minutes.length - 1]
    if (m === undefined || m.at !== at) {
      m = { at, count: 0, errors: 0, hist: new Uint32Array(BOUNDS.length) }
      minutes.push(m)
      while (minutes.length > 0 && minutes[0].at <= at - MINUTES * MINUTE_MS) minutes.shift()
    }
    m.count++
    if (failed) m.errors++
    let i = 0
    while (ms > BOUNDS[i]) i++
    m.hist[i]++
  }

  /** Every key's last hour: one point per minute (empty minutes included), and the hour's totals. */
  summary (): SeriesSummary[] {
    const end = Math.floor(this.#now() / MINUTE_MS) * MINUTE_MS
    const out: SeriesSummary[] = []
    for (const [key, minutes] of this.#series) {
      const byAt = new Map(minutes.map((m) => [m.at, m]))
      const total = new Uint32Array(BOUNDS.length)
      let count = 0
      let errors = 0
      const points: MinutePoint[] = []
      for (let at = end - (MINUTES - 1) * MINUTE_MS; at <= end; at += MINUTE_MS) {
        const m = byAt.get(at)
        if (m !== undefined) {
          count += m.count
          errors += m.errors
          for (let i = 0; i < total.length; i++) total[i] += m.hist[i]
        }
        points.push({
          at: new Date(at).toISOString(),
          count: m?.count ?? 0,
          errors: m?.errors ?? 0,
          p50Ms: m !== undefined ? quantile(m.hist, m.count, 0.5) : null,
          p99Ms: m !== undefined ? quantile(m.hist, m.count, 0.99) : null
        })
      }
      if (count === 0) continue
      out.push({ key, perMinute: Math.round((count / MINUTES) * 100) / 100, errorRate: Math.round((errors / count) * 10_000) / 10_000, p50Ms: quantile(total, count, 0.5), p99Ms: quantile(total, count, 0.99), points })
    }
    return out.sort((a, b) => a.key.localeCompare(b.key))
  }
}
