/**
 * `npm run bench:stages`: the CPU budget of one lookup, stage by stage (issue 19, docs/performance.md).
 *
 * 1. Whole path: (b) the baseline proxy, a bare Fastify server answering JSON (the floor of connection + HTTP
 *    parsing) and (c) the gateway's full lookup path (audit trail and tracing on, as `npm run bench`) under
 *    `--cpu-prof`, each loaded by autocannon; the gateway's CPU per lookup split by thread (event loop, audit
 *    thread, the rest), and the event loop's profile cut into stages (bench/lib/profile-stages.ts).
 * 2. Micro-benchmarks, in this process, of the stages that can be run alone with the gateway's own code: request
 *    and response validation, routing and subjects, the upstream answer's parse, envelope and serialisation,
 *    metrics records, the per-request logger child and access-log line, the rate/quota counters, an undici call
 *    to the simulator, the audit event's preparation (the audit thread's work) and PostgreSQL's CPU per audit
 *    event appended (`audit_append`, batches of 40 as the writer sends them).
 *
 * 3. With BENCH_BASELINE=<another build's dist folder>: that build's gateway and this one, both up, loaded in
 *    BENCH_ROUNDS alternated rounds (the order swapped every round): the change's effect as ratios within one run.
 *
 * Writes bench/results/stages.{json,md} and prints the markdown. Settings: BENCH_DURATION_S (10), BENCH_WARMUP_S
 * (3), BENCH_CONNECTIONS (64), BENCH_KEEP, REDIS_URL + DATABASE_URL (bench/lib/settings.ts).
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { citizenConnectorsFile, scripts, startGateway } from './lib/gateways.js'
import { load, type LoadResult } from './lib/load.js'
import { bodies, check, gatewayTarget, PATH } from './lib/lookup-targets.js'
import { descendants, killAllNow, start, stop, stopAll } from './lib/proc.js'
import { otlpSink } from './lib/otlp-sink.js'
import { services as startServices, type Services } from './lib/services.js'
import { settings as readSettings } from './lib/settings.js'
import { machine } from './lib/machine.js'
import { profileStages, type StageShare } from './lib/profile-stages.js'
import { microStages, type MicroResult } from './lib/micro-stages.js'

const started = performance.now()
const s = readSettings()
const say = (m: string): void => { process.stderr.write(`[stages ${Math.round((performance.now() - started) / 1000)}s] ${m}\n`) }
const resultsDir = join(process.cwd(), 'bench', 'results')
mkdirSync(resultsDir, { recursive: true })
const dir = mkdtempSync(join(tmpdir(), 'lienthong-stages-'))
chmodSync(dir, 0o711)
let svc: Services | undefined
process.once('exit', killAllNow)

/** CPU ms of each thread of a process, by tid, with its name (Linux /proc). */
function threadsCpuMs (pid: number): Map<number, { comm: string, ms: number }> {
  const out = new Map<number, { comm: string, ms: number }>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const f = text.slice(text.lastIndexOf(') ') + 2).split(' ')
      out.set(Number(tid), { comm: text.slice(text.indexOf('(') + 1, text.lastIndexOf(') ')), ms: (Number(f[11]) + Number(f[12])) * 10 })
    } catch {}
  }
  return out
}

/** Per-thread CPU µs per request over `run`, grouped: the event loop (the main thread), the audit thread, the rest. */
async function byThread (pid: number, run: () => Promise<LoadResult>): Promise<{ result: LoadResult, threads: Record<string, number> }> {
  const before = threadsCpuMs(pid)
  const result = await run()
  const after = threadsCpuMs(pid)
  const threads: Record<string, number> = {}
  for (const [tid, t] of after) {
    const d = t.ms - (before.get(tid)?.ms ?? 0)
    // worker threads carry no name of their own (`node`, as the main thread): each busy one is listed by its tid
    const group = tid === pid ? 'event loop' : t.comm === 'node' ? `thread ${tid}` : t.comm.replace(/\d+$/, '')
    threads[group] = (threads[group] ?? 0) + d
  }
  const n = Math.max(1, result.requests)
  return { result, threads: Object.fromEntries(Object.entries(threads).filter(([, ms]) => ms > 0).map(([k, ms]) => [k, Math.round(ms * 1000 / n)])) }
}

interface StagesResult {
  startedAt: string
  machine: ReturnType<typeof machine>
  settings: { durationS: number, warmupS: number, connections: number }
  proxy?: LoadResult
  bare?: LoadResult
  gateway?: LoadResult & { threadsUsPerRequest: Record<string, number>, profile: { file: string, fromUs: number, toUs: number, busyMs: number, usPerRequest: number, stages: Array<StageShare & { usPerRequest: number }> } }
  micro?: MicroResult[]
  /** BENCH_BASELINE: per round, req/s and event-loop + whole-process CPU µs per lookup of each build. */
  compared?: { baseline: string, rounds: Array<Record<'this' | 'baseline', { rps: number, cpuUs: number, eventLoopUs: number }>>, medians: Record<'this' | 'baseline', { rps: number, cpuUs: number, eventLoopUs: number }> }
  errors: string[]
}

const results: StagesResult = {
  startedAt: new Date().toISOString(),
  machine: machine(),
  settings: { durationS: s.durationS, warmupS: s.warmupS, connections: s.connections },
  errors: []
}

async function whole (services: Services): Promise<void> {
  const full = { connections: s.connections, durationS: s.durationS }
  const warm = { connections: s.connections, durationS: s.warmupS }
  const sim = await start<{ url: string }>('simulator', scripts.simulator, { logFile: join(dir, 'simulator.log') })
  const sink = await otlpSink()
  try {
    const pids = (main: number): Record<string, number | number[]> =>
      ({ server: main, simulator: sim.pid, services: descendants(process.pid, [sim.pid, main]) })
    for (const [key, script, args] of [['proxy', scripts.proxy, [sim.info.url, '64']], ['bare', scripts.bareFastify, []]] as const) {
      const child = await start<{ url: string }>(key, script, { args: [...args], logFile: join(dir, `${key}.log`) })
      const target = { url: child.info.url, path: PATH.sim, bodies }
      await check(target)
      await load(target, warm)
      say(`${key}: ${s.durationS} s`)
      results[key] = await load(target, { ...full, cpuPids: pids(child.pid) })
      await stop(child.proc)
    }
    const gctx = { dir, services, connectorsFile: citizenConnectorsFile(dir), simUrl: sim.info.url, logLevel: s.logLevel }
    const name = 'stages-gateway.cpuprofile'
    const g = await startGateway(gctx, { name: 'stages', tracing: true, otlpUrl: sink.url, audit: true, cpuProfile: { dir: resultsDir, name } })
    const target = gatewayTarget(g)
    await check(target)
    await load(target, warm)
    say(`gateway under --cpu-prof: ${s.durationS} s`)
    const fromUs = Number(process.hrtime.bigint() / 1000n)
    const { result, threads } = await byThread(g.child.pid, async () => await load(target, { ...full, cpuPids: pids(g.child.pid) }))
    const toUs = Number(process.hrtime.bigint() / 1000n)
    await stop(g.child.proc)
    const cut = profileStages(join(resultsDir, name), fromUs, toUs)
    const n = Math.max(1, result.requests)
    results.gateway = {
      ...result,
      threadsUsPerRequest: threads,
      profile: {
        // `node dist/bench/profile-summary.js <file> 40 <fromUs> <toUs>`: the top functions of the same window
        file: join('bench', 'results', name),
        fromUs,
        toUs,
        busyMs: cut.busyMs,
        usPerRequest: Math.round(cut.busyMs * 1000 / n),
        // the profiler inflates the busy time it sees: each stage is its share of the event loop's measured CPU
        stages: cut.stages.map((x) => ({ ...x, usPerRequest: Math.round(x.pct * (threads['event loop'] ?? 0)) / 100 }))
      }
    }
    const baseline = process.env.BENCH_BASELINE
    if (baseline !== undefined && baseline !== '') await compare(gctx, sink.url, baseline, warm, full, pids)
  } finally {
    await sink.close()
    await stop(sim.proc)
  }
}

/** This build's gateway against another's, both up, in alternated rounds (BENCH_ROUNDS). */
async function compare (
  gctx: Parameters<typeof startGateway>[0], otlpUrl: string, baseline: string,
  warm: { connections: number, durationS: number }, full: { connections: number, durationS: number },
  pids: (main: number) => Record<string, number | number[]>
): Promise<void> {
  const both = {
    this: await startGateway(gctx, { name: 'this', tracing: true, otlpUrl, audit: true }),
    baseline: await startGateway(gctx, { name: 'baseline', tracing: true, otlpUrl, audit: true, dist: baseline })
  }
  const rounds: NonNullable<StagesResult['compared']>['rounds'] = []
  try {
    for (const g of Object.values(both)) { await check(gatewayTarget(g)); await load(gatewayTarget(g), warm) }
    for (let r = 0; r < s.rounds; r++) {
      const order = r % 2 === 0 ? (['this', 'baseline'] as const) : (['baseline', 'this'] as const)
      const round: Partial<(typeof rounds)[number]> = {}
      for (const which of order) {
        const g = both[which]
        const { result, threads } = await byThread(g.child.pid, async () => await load(gatewayTarget(g), { ...full, cpuPids: pids(g.child.pid) }))
        round[which] = { rps: result.rps, cpuUs: result.cpuUsPerRequest.server ?? 0, eventLoopUs: threads['event loop'] ?? 0 }
      }
      rounds.push(round as (typeof rounds)[number])
      say(`round ${r + 1}: this ${round.this?.rps} req/s · ${round.this?.cpuUs} µs, baseline ${round.baseline?.rps} req/s · ${round.baseline?.cpuUs} µs`)
    }
  } finally {
    for (const g of Object.values(both)) await stop(g.child.proc)
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const med = (w: 'this' | 'baseline'): { rps: number, cpuUs: number, eventLoopUs: number } =>
    ({ rps: median(rounds.map((x) => x[w].rps)), cpuUs: median(rounds.map((x) => x[w].cpuUs)), eventLoopUs: median(rounds.map((x) => x[w].eventLoopUs)) })
  results.compared = { baseline, rounds, medians: { this: med('this'), baseline: med('baseline') } }
}

function markdown (r: StagesResult): string {
  const lines = [`# Lookup CPU budget by stage (${r.startedAt})`, '',
    `${r.machine.cores} × ${r.machine.cpu}, Node.js ${r.machine.node}, load average ${r.machine.loadAverage.join(' ')}; ${r.settings.connections} connections, ${r.settings.durationS} s runs`, '']
  const row = (label: string, x?: LoadResult): string => x === undefined ? `| ${label} | – | – |` : `| ${label} | ${x.rps} | ${x.cpuUsPerRequest.server} |`
  lines.push('| whole path | req/s | server CPU µs/req |', '|---|---:|---:|', row('(b) baseline proxy', r.proxy), row('bare Fastify JSON answer (connection + parsing floor)', r.bare), row('(c) gateway, audit + tracing on, under --cpu-prof', r.gateway), '')
  if (r.gateway !== undefined) {
    lines.push(`Gateway CPU µs per lookup by thread: ${Object.entries(r.gateway.threadsUsPerRequest).map(([k, v]) => `${k} ${v}`).join(' · ')}; PostgreSQL + Redis ${r.gateway.cpuUsPerRequest.services ?? '–'}.`, '',
      `Event loop: ${r.gateway.threadsUsPerRequest['event loop'] ?? '–'} µs of CPU per lookup (/proc), ${r.gateway.profile.usPerRequest} µs busy in the profile (the profiler's own cost included); each stage below is its share of the profile times the measured CPU.`, '',
      '| stage (event loop profile) | µs/lookup | % |', '|---|---:|---:|',
      ...r.gateway.profile.stages.map((x) => `| ${x.stage} | ${x.usPerRequest} | ${x.pct} |`), '')
  }
  if (r.micro !== undefined) {
    lines.push('| stage micro-benchmark (this process) | µs/op (median of 5) | spread |', '|---|---:|---:|',
      ...r.micro.map((m) => `| ${m.stage} | ${m.us} | ${m.min}–${m.max} |`), '')
  }
  if (r.compared !== undefined) {
    const c = r.compared
    lines.push(`This build against ${c.baseline}, ${c.rounds.length} alternated rounds (medians; every round: ${c.rounds.map((x) => `${x.this.rps}/${x.baseline.rps}`).join(', ')} req/s):`, '',
      '| | req/s | gateway CPU µs/lookup | event loop µs/lookup |', '|---|---:|---:|---:|',
      `| this build | ${c.medians.this.rps} | ${c.medians.this.cpuUs} | ${c.medians.this.eventLoopUs} |`,
      `| baseline | ${c.medians.baseline.rps} | ${c.medians.baseline.cpuUs} | ${c.medians.baseline.eventLoopUs} |`, '')
  }
  if (r.errors.length > 0) lines.push(`Errors: ${r.errors.join('; ')}`)
  return lines.join('\n')
}

try {
  svc = await startServices(dir, s, say)
  if (!s.skip.has('whole')) await whole(svc).catch((err: Error) => { results.errors.push(`whole: ${err.message}`); say(err.stack ?? err.message) })
  if (!s.skip.has('micro')) {
    say('micro-benchmarks')
    const sim = await start<{ url: string }>('simulator', scripts.simulator, { logFile: join(dir, 'simulator-micro.log') })
    try {
      results.micro = await microStages({ simUrl: sim.info.url, services: svc, say })
    } catch (err) {
      results.errors.push(`micro: ${(err as Error).message}`)
      say((err as Error).stack ?? (err as Error).message)
    } finally {
      await stop(sim.proc)
    }
  }
} finally {
  await stopAll()
  await svc?.close().catch(() => {})
  if (s.keep) say(`kept ${dir}`)
  else rmSync(dir, { recursive: true, force: true })
}
const md = markdown(results)
writeFileSync(join(resultsDir, 'stages.json'), JSON.stringify(results, null, 2) + '\n')
writeFileSync(join(resultsDir, 'stages.md'), md + '\n')
console.log(md)
if (results.errors.length > 0) process.exitCode = 1
