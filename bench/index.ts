/**
 * `npm run bench`: the benchmark suite of issue 8, in one run, all on loopback (docs/performance.md).
 * Lookups (a) simulator direct, (b) baseline proxy, (c) the gateway's full lookup path — each server in its own
 * process, autocannon here — with ratios, half-rate p99, peak RSS with 256 connections, audit trail + tracing on/off
 * in alternated rounds, the variants asked for, and a CPU profile of (c); then the deliveries and admin-units
 * benchmarks, then the events scenario (bench/events.ts). Writes bench/results/latest.{json,md} and prints the markdown. Exit code 1 when a part failed (not
 * when a target is missed: that is a result).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runLookups } from './lookups.js'
import { machine } from './lib/machine.js'
import { killAllNow, stopAll } from './lib/proc.js'
import { auditTracingOnOff, markdown, targets, type DeliveriesResult, type EventsResult, type Results } from './lib/report.js'
import { runScript } from './lib/scripts.js'
import { services as startServices, type Services } from './lib/services.js'
import { settings as readSettings } from './lib/settings.js'
import { scripts } from './lib/gateways.js'

const started = performance.now()
const s = readSettings()
const say = (m: string): void => { process.stderr.write(`[bench ${Math.round((performance.now() - started) / 1000)}s] ${m}\n`) }
const resultsDir = join(process.cwd(), 'bench', 'results')
mkdirSync(resultsDir, { recursive: true })
const dir = mkdtempSync(join(tmpdir(), 'lienthong-bench-'))
// traversable (never readable) by others: the private PostgreSQL runs as the postgres user when we are root
chmodSync(dir, 0o711)
let svc: Services | undefined

const results: Results = {
  startedAt: new Date().toISOString(),
  seconds: 0,
  machine: machine(),
  settings: { durationS: s.durationS, warmupS: s.warmupS, connections: s.connections, rssConnections: s.rssConnections, logLevel: s.logLevel, deliveries: s.deliveries, rounds: s.rounds, variants: s.variants, profile: s.profile, skip: [...s.skip] },
  targets: [],
  errors: []
}

let interrupted = false
let cleaned = false
async function cleanup (): Promise<void> {
  if (cleaned) return
  cleaned = true
  await stopAll()
  await svc?.close().catch((err: Error) => { say(`services did not stop cleanly: ${err.message}`) })
  if (s.keep) say(`kept ${dir}`)
  else rmSync(dir, { recursive: true, force: true })
}
process.once('exit', killAllNow)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: stopping`)
    interrupted = true
    killAllNow()
    void cleanup().finally(() => process.exit(130))
  })
}

const fail = (part: string) => (err: Error): undefined => {
  results.errors.push(`${part}: ${err.message}`)
  say(`${part} failed: ${err.stack ?? err.message}`)
  return undefined
}

try {
  svc = await startServices(dir, s, say)
  const lookups = await runLookups({ settings: s, dir, resultsDir, services: svc, say }).catch(fail('lookups'))
  if (lookups !== undefined) {
    const cpu = (lookups.gateway.cpuUsPerRequest.server ?? 0) / Math.max(1, lookups.baselineProxy.cpuUsPerRequest.server ?? 0)
    const onOff = auditTracingOnOff(lookups)
    results.lookups = lookups
    results.errors.push(...lookups.errors)
    results.ratios = {
      throughput: Math.round(lookups.gateway.rps / Math.max(1, lookups.baselineProxy.rps) * 100) / 100,
      cpuPerRequest: Math.round(cpu * 100) / 100,
      ...(onOff !== undefined ? { auditAndTracingOnOverOff: Math.round(onOff.ratio * 100) / 100 } : {})
    }
  }
  const env = { ...process.env, REDIS_URL: svc.redisUrl, DATABASE_URL: svc.adminUrl }
  if (!s.skip.has('deliveries') && !interrupted) {
    say(`deliveries: ${s.deliveries} dossiers (bench/deliveries.ts)`)
    results.deliveries = await runScript<DeliveriesResult>(scripts.deliveries, {
      env: { ...env, BENCH_DELIVERIES: String(s.deliveries), BENCH_CONCURRENCY: String(s.connections), BENCH_MAX_MS: '60000' },
      timeoutMs: 150_000,
      logFile: join(dir, 'deliveries.log')
    })
    if (!results.deliveries.ok) results.errors.push(`deliveries: ${results.deliveries.error ?? `exit ${results.deliveries.exitCode}`}`)
  }
  if (!s.skip.has('events') && !interrupted) {
    say('events: portal submissions fanned out to 34 province subscribers (bench/events.ts)')
    results.events = await runScript<EventsResult>(scripts.events, { env, timeoutMs: 300_000, logFile: join(dir, 'events.log') })
    if (!results.events.ok) results.errors.push(`events: ${results.events.error ?? `exit ${results.events.exitCode}`}`)
  }
  if (!s.skip.has('admin-units') && !interrupted) {
    say('admin units (bench/admin-units.ts)')
    results.adminUnits = await runScript(scripts.adminUnits, { execArgv: ['--expose-gc'], env, timeoutMs: 60_000, logFile: join(dir, 'admin-units.log') })
    if (!results.adminUnits.ok) results.errors.push(`admin-units: ${results.adminUnits.error ?? `exit ${results.adminUnits.exitCode}`}`)
  }
  if (!s.skip.has('checkpoints') && !interrupted) {
    say('audit checkpoints (bench/checkpoints.ts)')
    results.checkpoints = await runScript(scripts.checkpoints, { env, timeoutMs: 120_000, logFile: join(dir, 'checkpoints.log') })
    if (!results.checkpoints.ok) results.errors.push(`checkpoints: ${results.checkpoints.error ?? `exit ${results.checkpoints.exitCode}`}`)
  }
  if (!s.skip.has('procedures') && !interrupted) {
    say('procedures: a national day of birth and death cases (bench/procedures.ts)')
    results.procedures = await runScript<Record<string, unknown>>(scripts.procedures, { env, timeoutMs: 900_000, logFile: join(dir, 'procedures.log') })
    if (!results.procedures.ok) results.errors.push(`procedures: ${results.procedures.error ?? `exit ${results.procedures.exitCode}`}`)
  }
} catch (err) {
  fail('setup')(err as Error)
} finally {
  await cleanup()
}

if (interrupted) await new Promise(() => {}) // the signal handler exits once the children are gone
results.targets = targets(results.lookups, results.deliveries?.result, results.events?.result)
results.seconds = Math.round((performance.now() - started) / 1000)
const md = markdown(results)
writeFileSync(join(resultsDir, 'latest.json'), JSON.stringify(results, null, 2) + '\n')
writeFileSync(join(resultsDir, 'latest.md'), md + '\n')
console.log(md)
say(`results in ${join('bench', 'results', 'latest.json')} and latest.md`)
if (results.errors.length > 0) process.exitCode = 1
