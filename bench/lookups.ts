/**
 * The lookup scenarios of `npm run bench` (docs/performance.md): (a) the citizen simulator directly, (b) the
 * baseline pass-through proxy in front of it, (c) the gateway's full lookup path, each in its own process with
 * autocannon here; then (c) and (b) at half of (c)'s maximum rate, (c) with 256 connections for its peak RSS,
 * (c) with audit trail + tracing on and off in alternated rounds (the issue-4 ratio, bench/lookups-alternated.ts),
 * the variants asked for, and (c) once more under `--cpu-prof`.
 */
import { join } from 'node:path'
import { citizenConnectorsFile, scripts, startGateway } from './lib/gateways.js'
import { load, type LoadResult, type Target } from './lib/load.js'
import { bodies, check, gatewayTarget, PATH } from './lib/lookup-targets.js'
import { descendants, memoryMB, start, stop } from './lib/proc.js'
import { otlpSink } from './lib/otlp-sink.js'
import { watchMemory, type MemoryPeaks } from './lib/memory-watch.js'
import { serversCpuMs } from './lib/server-cpu.js'
import type { Services } from './lib/services.js'
import type { Settings } from './lib/settings.js'
import { runAlternated, type AlternatedResults } from './lookups-alternated.js'
import { summarise, type ProfileSummary } from './profile-summary.js'

export interface LookupResults {
  simulatorDirect: LoadResult
  baselineProxy: LoadResult
  gateway: LoadResult
  gatewayHalfRate: LoadResult
  baselineAtSameRate: LoadResult
  gatewayManyConnections: LoadResult & MemoryPeaks & { peakRssMB: number }
  gatewayIdleRssMB: number
  gatewayLogBytesPerRequest: number
  /** Token requests refused (503, overload protection) right after the gateway started, before one passed. */
  gatewayRefusedAtStart: number
  auditTrail?: { answered: number, recorded: number }
  /** PostgreSQL's CPU (µs, every process of the private server) per lookup of (c)'s full run: each lookup is one
   * audit event, and the lookup path reads nothing else from PostgreSQL. Absent with external servers. */
  postgresUsPerLookup?: number
  otlpTraceExports: number
  /** (c) with audit trail + tracing on and off, both up at once, in alternated rounds (BENCH_ROUNDS): the issue-4
   * ratio. Absent when skipped (BENCH_SKIP=alternated) or failed. */
  alternated?: AlternatedResults
  /** The gateway with parts switched off, to see their share (BENCH_VARIANTS). */
  variants: Partial<Record<VariantId, LoadResult & { label: string }>>
  profile?: ProfileSummary & { file: string, fromUs: number, load: LoadResult }
  /** Parts that failed (the others are still reported). */
  errors: string[]
}

export type VariantId = 'off' | 'no-tracing' | 'no-audit' | 'log-warn' | 'trace-all' | 'bare'
interface Variant { id: VariantId, label: string, tracing: boolean, audit: boolean, logLevel?: string, sampler?: string }
export const VARIANTS: Variant[] = [
  { id: 'off', label: 'audit trail + tracing off', tracing: false, audit: false },
  { id: 'trace-all', label: 'every request traced (parentbased_always_on)', tracing: true, audit: true, sampler: 'parentbased_always_on' },
  { id: 'no-tracing', label: 'tracing off, audit trail on', tracing: false, audit: true },
  { id: 'no-audit', label: 'audit trail off, tracing on', tracing: true, audit: false },
  { id: 'log-warn', label: 'LOG_LEVEL=warn, audit trail + tracing on', tracing: true, audit: true, logLevel: 'warn' },
  // what trimming the observable parts could reach at most: no audit trail, no tracing, no access-log line
  { id: 'bare', label: 'audit trail + tracing off, LOG_LEVEL=warn', tracing: false, audit: false, logLevel: 'warn' }
]

export interface LookupContext { settings: Settings, dir: string, resultsDir: string, services: Services, say: (m: string) => void }

export async function runLookups (ctx: LookupContext): Promise<LookupResults> {
  const { settings: s, say } = ctx
  const full = { connections: s.connections, durationS: s.durationS }
  const warm = { connections: s.connections, durationS: s.warmupS }
  const sim = await start<{ url: string }>('simulator', scripts.simulator, { logFile: join(ctx.dir, 'simulator.log') })
  const proxy = await start<{ url: string }>('baseline proxy', scripts.proxy, { args: [sim.info.url, '64'], logFile: join(ctx.dir, 'proxy.log') })
  const sink = await otlpSink()
  const gctx = { ...ctx, connectorsFile: citizenConnectorsFile(ctx.dir), simUrl: sim.info.url, logLevel: s.logLevel }
  // PostgreSQL and Redis: what runs below this process besides the bench's own children (private servers only;
  // `others`: gateways up but not measured)
  const pids = (main: number, others: number[] = []): Record<string, number | number[]> =>
    ({ server: main, simulator: sim.pid, loadgen: process.pid, services: descendants(process.pid, [sim.pid, proxy.pid, main, ...others]) })
  try {
    const direct: Target = { url: sim.info.url, path: PATH.sim, bodies }
    const proxied: Target = { url: proxy.info.url, path: PATH.sim, bodies }
    await check(direct)
    await check(proxied)

    say(`(a) simulator direct, ${s.connections} connections, ${s.durationS} s`)
    await load(direct, warm)
    const simulatorDirect = await load(direct, { ...full, cpuPids: { server: sim.pid, loadgen: process.pid } })

    say('(b) baseline proxy')
    await load(proxied, warm)
    const baselineProxy = await load(proxied, { ...full, cpuPids: pids(proxy.pid) })

    say('(c) gateway: starting (tracing on, audit trail on)')
    const on = await startGateway(gctx, { name: 'on', tracing: true, otlpUrl: sink.url, audit: true })
    const onTarget = gatewayTarget(on)
    let answered = 0
    const counted = (r: LoadResult): LoadResult => { answered += r.ok; return r }
    await check(onTarget)
    answered++
    const gatewayIdleRssMB = memoryMB(on.child.pid).rss
    say('(c) gateway full lookup path')
    counted(await load(onTarget, warm))
    const pg0 = serversCpuMs().postgres
    const gateway = counted(await load(onTarget, { ...full, cpuPids: pids(on.child.pid), rssPid: on.child.pid }))
    const pgMs = serversCpuMs().postgres - pg0
    const postgresUsPerLookup = pgMs > 0 && gateway.ok > 0 ? Math.round(pgMs * 1000 / gateway.ok * 10) / 10 : undefined
    const rate = Math.max(1, Math.round(gateway.rps / 2))
    say(`(c) and (b) at ${rate} req/s`)
    const gatewayHalfRate = counted(await load(onTarget, { ...full, rate, cpuPids: pids(on.child.pid) }))
    const baselineAtSameRate = await load(proxied, { ...full, rate, cpuPids: pids(proxy.pid) })
    say(`(c) gateway with ${s.rssConnections} connections`)
    const watch = watchMemory(on.child.proc, on.child.info.url)
    const many = counted(await load(onTarget, { ...full, connections: s.rssConnections, cpuPids: pids(on.child.pid), rssPid: on.child.pid }))
    const gatewayManyConnections = { ...many, peakRssMB: memoryMB(on.child.pid).peak, ...await watch() }
    const gatewayLogBytesPerRequest = Math.round(on.logBytes() / Math.max(1, answered))
    await stop(on.child.proc)
    const auditTrail = await ctx.services.count(on.databaseUrl, "SELECT count(*) AS n FROM audit_events WHERE kind = 'lookup' AND outcome = 'ok'")
      .then((recorded) => ({ answered, recorded }), (err: Error) => { say(`audit trail not counted: ${err.message}`); return undefined })

    const errors: string[] = []
    let alternated: AlternatedResults | undefined
    if (!s.skip.has('alternated')) {
      try {
        alternated = await runAlternated({ gctx, otlpUrl: sink.url, rounds: s.rounds, warm, full, pids, say })
        say(`(c) alternated ×${s.rounds}: medians on ${alternated.on.rps} / off ${alternated.off.rps} req/s = ${alternated.ratio}`)
      } catch (err) {
        errors.push(`alternated: ${(err as Error).message}`)
        say(`alternated rounds failed: ${(err as Error).message}`)
      }
    }

    const variants: LookupResults['variants'] = {}
    for (const v of VARIANTS.filter((x) => s.variants.includes(x.id))) {
      say(`(c) gateway, ${v.label}`)
      try {
        const g = await startGateway({ ...gctx, logLevel: v.logLevel ?? s.logLevel }, { name: v.id, tracing: v.tracing, otlpUrl: sink.url, audit: v.audit, sampler: v.sampler })
        await check(gatewayTarget(g))
        await load(gatewayTarget(g), warm)
        variants[v.id] = { label: v.label, ...await load(gatewayTarget(g), { ...full, cpuPids: pids(g.child.pid) }) }
        await stop(g.child.proc)
      } catch (err) {
        errors.push(`variant ${v.id}: ${(err as Error).message}`)
        say(`variant ${v.id} failed: ${(err as Error).message}`)
      }
    }

    let profile: LookupResults['profile']
    if (!s.skip.has('profile')) {
      say(`(c) gateway under --cpu-prof${s.profile === 'off' ? ', audit trail + tracing off' : ''}`)
      try {
        profile = await profiled(gctx, sink.url, ctx.resultsDir, warm, full, pids, s.profile === 'full')
      } catch (err) {
        errors.push(`profile: ${(err as Error).message}`)
        say(`profile failed: ${(err as Error).message}`)
      }
    }
    return {
      simulatorDirect,
      baselineProxy,
      gateway,
      gatewayHalfRate,
      baselineAtSameRate,
      gatewayManyConnections,
      gatewayIdleRssMB,
      gatewayLogBytesPerRequest,
      gatewayRefusedAtStart: on.child.info.refusedAtStart,
      auditTrail,
      postgresUsPerLookup,
      otlpTraceExports: sink.exports(),
      alternated,
      variants,
      profile,
      errors
    }
  } finally {
    await sink.close()
    await stop(proxy.proc)
    await stop(sim.proc)
  }
}

/** (c) once more in a gateway under `--cpu-prof`, keeping the samples of the measured load only. */
async function profiled (
  gctx: Parameters<typeof startGateway>[0], otlpUrl: string, dir: string,
  warm: { connections: number, durationS: number }, full: { connections: number, durationS: number },
  pids: (main: number) => Record<string, number | number[]>,
  on: boolean
): Promise<NonNullable<LookupResults['profile']>> {
  const name = 'gateway.cpuprofile'
  const prof = await startGateway(gctx, { name: 'profile', tracing: on, otlpUrl, audit: on, cpuProfile: { dir, name } })
  await check(gatewayTarget(prof))
  await load(gatewayTarget(prof), warm)
  // V8's profile clock and process.hrtime are both CLOCK_MONOTONIC
  const fromUs = Number(process.hrtime.bigint() / 1000n)
  const during = await load(gatewayTarget(prof), { ...full, cpuPids: pids(prof.child.pid) })
  await stop(prof.child.proc)
  const file = join(dir, name)
  return { file, fromUs, load: during, ...summarise(file, 25, fromUs) }
}
