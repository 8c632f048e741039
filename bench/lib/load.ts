import autocannon from 'autocannon'
import { cpuMsOf, sampleRss } from './proc.js'
import { pacedLoad, type PacedResult } from './paced-load.js'

/** Where and what to send: POST `path` with one of `bodies` per request (in turn), with these headers. */
export interface Target { url: string, path: string, headers?: Record<string, string>, bodies: string[] }

export interface LoadOptions {
  connections: number
  durationS: number
  /** Requests per second over all connections, evenly paced (bench/lib/paced-load.ts); none: as fast as it answers (autocannon). */
  rate?: number
  /** Processes (or groups of processes) whose CPU time is measured over the run; `rssPid`: whose RSS. */
  cpuPids?: Record<string, number | number[]>
  rssPid?: number
}

export interface LoadResult {
  connections: number
  durationS: number
  rate?: number
  requests: number
  rps: number
  latencyMs: { p50: number, p90: number, p99: number, max: number }
  ok: number
  non2xx: number
  errors: number
  timeouts: number
  /** Responses per HTTP status. */
  statuses: Record<string, number>
  /** CPU time per request of each watched process, in µs. */
  cpuUsPerRequest: Record<string, number>
  /** Highest RSS of `rssPid` sampled during the run, in MB. */
  maxRssMB?: number
}

/**
 * One run (keep-alive connections, fixed count and duration) with the processes' CPU and RSS: autocannon as fast as
 * the target answers, or the paced open-loop load at `rate`.
 */
export async function load (target: Target, opts: LoadOptions): Promise<LoadResult> {
  const pids = Object.entries(opts.cpuPids ?? {}).map(([name, p]) => [name, Array.isArray(p) ? p : [p]] as const).filter(([, p]) => p.length > 0)
  const cpuBefore = pids.map(([, p]) => cpuMsOf(p))
  const rss = opts.rssPid !== undefined ? sampleRss(opts.rssPid) : undefined
  const r = opts.rate !== undefined ? await pacedLoad(target, opts.rate, opts.connections, opts.durationS) : await autocannonRun(target, opts)
  const maxRssMB = rss?.()
  return {
    ...r,
    connections: opts.connections,
    durationS: opts.durationS,
    rate: opts.rate,
    rps: Math.round(r.requests / (r.durationS > 0 ? r.durationS : opts.durationS)),
    cpuUsPerRequest: Object.fromEntries(pids.map(([name, p], i) =>
      [name, r.requests > 0 ? Math.round((cpuMsOf(p) - cpuBefore[i]) * 1000 / r.requests) : 0])),
    ...(maxRssMB !== undefined ? { maxRssMB } : {})
  }
}

/** As fast as the target answers: autocannon, its result in the fields the paced run gives. */
async function autocannonRun (target: Target, opts: LoadOptions): Promise<PacedResult> {
  const r = await autocannon({
    url: `${target.url}${target.path}`,
    method: 'POST',
    connections: opts.connections,
    duration: opts.durationS,
    timeout: 10,
    headers: { 'content-type': 'application/json', ...target.headers },
    requests: target.bodies.map((body) => ({ body }))
  })
  return {
    requests: r.requests.total,
    durationS: r.duration,
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statuses: Object.fromEntries(Object.entries((r as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {}).map(([k, v]) => [k, v.count]))
  }
}
