/**
 * The issue-4 ratio of `npm run bench` (docs/performance.md): the gateway with audit trail + tracing on (default
 * sampler, spans exported by OTLP to the bench's sink) against the same gateway with both off. Both processes are up
 * at once and measured in alternated rounds — round 1 on then off, round 2 off then on, … — so that neither side is
 * always the first measured, nor always measured at the noisier moment of a shared machine. The ratio is
 * median(on req/s) / median(off req/s).
 */
import { startGateway, type Gateway } from './lib/gateways.js'
import { load, type LoadResult } from './lib/load.js'
import { check, gatewayTarget } from './lib/lookup-targets.js'
import { stop } from './lib/proc.js'

export type Side = 'on' | 'off'

export interface AlternatedResults {
  /** Each round in the order run: round i (from 0) measures `on` first when i is even, `off` first when odd. */
  rounds: Array<{ first: Side, on: LoadResult, off: LoadResult }>
  /** Each side over the rounds, as `medianOf` sums them up. */
  on: LoadResult & { label: string }
  off: LoadResult & { label: string }
  /** median(on req/s) / median(off req/s), 2 decimals. */
  ratio: number
}

export interface AlternatedContext {
  gctx: Parameters<typeof startGateway>[0]
  otlpUrl: string
  /** Rounds (BENCH_ROUNDS); each measures both sides once. */
  rounds: number
  warm: { connections: number, durationS: number }
  full: { connections: number, durationS: number }
  /** The processes whose CPU is measured while the gateway `main` is loaded (`others`: not counted as services). */
  pids: (main: number, others: number[]) => Record<string, number | number[]>
  say: (m: string) => void
}

const LABEL: Record<Side, string> = { on: 'audit trail + tracing on', off: 'audit trail + tracing off' }

/** The median of the numbers (of the two middle ones, rounded, for an even count); 0 for none. */
export function median (xs: number[]): number {
  if (xs.length === 0) return 0
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : Math.round((s[m - 1] + s[m]) / 2)
}

/** Several runs of one target as one: req/s, latencies (max: the highest) and CPU µs per request are the medians
 * of the runs; durations, requests, responses, errors and statuses their sums. */
export function medianOf (runs: LoadResult[]): LoadResult {
  const m = (f: (r: LoadResult) => number | undefined): number => median(runs.map(f).filter((x): x is number => x !== undefined))
  const sum = (f: (r: LoadResult) => number): number => runs.reduce((n, r) => n + f(r), 0)
  const statuses: Record<string, number> = {}
  for (const r of runs) for (const [code, n] of Object.entries(r.statuses)) statuses[code] = (statuses[code] ?? 0) + n
  const cpuKeys = [...new Set(runs.flatMap((r) => Object.keys(r.cpuUsPerRequest)))]
  return {
    connections: runs[0]?.connections ?? 0,
    durationS: sum((r) => r.durationS),
    requests: sum((r) => r.requests),
    rps: m((r) => r.rps),
    latencyMs: { p50: m((r) => r.latencyMs.p50), p90: m((r) => r.latencyMs.p90), p99: m((r) => r.latencyMs.p99), max: Math.max(0, ...runs.map((r) => r.latencyMs.max)) },
    ok: sum((r) => r.ok),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    statuses,
    cpuUsPerRequest: Object.fromEntries(cpuKeys.map((k) => [k, m((r) => r.cpuUsPerRequest[k])]))
  }
}

const brief = (r: LoadResult): string =>
  `${r.rps} req/s, ${r.cpuUsPerRequest.server ?? '?'} µs/req (+${r.cpuUsPerRequest.services ?? '?'} PG + Redis)`

/** Both gateways started, checked and warmed up, then `rounds` alternated rounds; both stopped whatever happens. */
export async function runAlternated (ctx: AlternatedContext): Promise<AlternatedResults> {
  const { say } = ctx
  const started: Gateway[] = []
  try {
    say(`(c) alternated: starting two gateways, ${LABEL.on} and ${LABEL.off}`)
    const on = await startGateway(ctx.gctx, { name: 'alternated-on', tracing: true, otlpUrl: ctx.otlpUrl, audit: true })
    started.push(on)
    const off = await startGateway(ctx.gctx, { name: 'alternated-off', tracing: false, audit: false })
    started.push(off)
    const gateways: Record<Side, Gateway> = { on, off }
    const targets = { on: gatewayTarget(on), off: gatewayTarget(off) }
    await check(targets.on)
    await check(targets.off)
    await load(targets.on, ctx.warm)
    await load(targets.off, ctx.warm)

    const measure = async (side: Side): Promise<LoadResult> => {
      const other = gateways[side === 'on' ? 'off' : 'on']
      return await load(targets[side], { ...ctx.full, cpuPids: ctx.pids(gateways[side].child.pid, [other.child.pid]) })
    }
    const rounds: AlternatedResults['rounds'] = []
    for (let i = 0; i < ctx.rounds; i++) {
      const first: Side = i % 2 === 0 ? 'on' : 'off'
      const a = await measure(first)
      const b = await measure(first === 'on' ? 'off' : 'on')
      const round = first === 'on' ? { first, on: a, off: b } : { first, on: b, off: a }
      rounds.push(round)
      say(`(c) alternated round ${i + 1}/${ctx.rounds}, ${first} first: on ${brief(round.on)}; off ${brief(round.off)}`)
    }
    const onMedian = medianOf(rounds.map((r) => r.on))
    const offMedian = medianOf(rounds.map((r) => r.off))
    return {
      rounds,
      on: { label: LABEL.on, ...onMedian },
      off: { label: LABEL.off, ...offMedian },
      ratio: Math.round(onMedian.rps / Math.max(1, offMedian.rps) * 100) / 100
    }
  } finally {
    for (const g of started) await stop(g.child.proc)
  }
}
