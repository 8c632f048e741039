/**
 * `npm run chaos` (issue 7): a private Redis and PostgreSQL, the simulators and TWO gateway processes (dist/, like
 * `npm start`) on one database and one queue, under a steady moderate load of lookups and dossier deliveries
 * (POST /v1/dossiers, then a step each) for CHAOS_SECONDS (default 90). Meanwhile: Redis SIGKILLed and restarted,
 * PostgreSQL crashed (SIGQUIT, immediate shutdown) and restarted, the population registry and then the portal
 * down, one gateway SIGKILLed and restarted, then Redis and PostgreSQL frozen (SIGSTOP of every server process,
 * PostgreSQL's backends included: a partition, connections open and nothing answering) and resumed — requests must
 * meanwhile be answered (503 within the bounded waits), not left without an answer. Then every accepted delivery
 * must reach the portal exactly once.
 * Prints a JSON summary and a table; exits 1 when an accepted delivery was lost or doubled, 2 when none was but a
 * gateway process died on its own (it is restarted after a second, as an orchestrator would, and the crash reported).
 *
 *   npm run chaos                       CHAOS_SECONDS=90 CHAOS_LOOKUPS_PER_SECOND=40 CHAOS_DOSSIERS_PER_SECOND=8
 *   CHAOS_DRAIN_SECONDS=180 (wait for the deliveries after the load)   CHAOS_KEEP=1 (keep the temp dir and logs)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { startSimulators } from '../src/simulators/index.js'
import { lookup } from './chaos/bodies.js'
import { checkDeliveries } from './chaos/check.js'
import { Balancer } from './chaos/client.js'
import { Load } from './chaos/load.js'
import { byKind, table, windows, type ChaosEvent } from './chaos/report.js'
import { gateways, sharedEnv, systemClient } from './chaos/setup.js'
import { startStack } from './chaos/stack.js'

const SECONDS = Number(process.env.CHAOS_SECONDS ?? 90)
const LOOKUPS = Number(process.env.CHAOS_LOOKUPS_PER_SECOND ?? 40)
const DOSSIERS = Number(process.env.CHAOS_DOSSIERS_PER_SECOND ?? 8)
const DRAIN_MS = Number(process.env.CHAOS_DRAIN_SECONDS ?? 180) * 1000
const begun = Date.now()
const say = (m: string): void => { process.stderr.write(`[chaos ${Math.round((Date.now() - begun) / 1000)}s] ${m}\n`) }

const dir = mkdtempSync(join(tmpdir(), 'lienthong-chaos-'))
say(`working under ${dir}`)
const stack = await startStack(dir, () => {})
const sims = await startSimulators({ host: '127.0.0.1' })
const [a, b] = await gateways(dir, ['gateway-a', 'gateway-b'], sharedEnv(stack, sims))
await a.start()
await b.start()
say(`gateways ${a.url} and ${b.url} ready; Redis ${stack.redisUrl}, PostgreSQL ${stack.databaseUrl}`)

const lb = new Balancer([a.url, b.url])
const token = await systemClient(lb)
await token.header()
let loadEnds = Infinity
const load = new Load(lb, token, {
  lookupsPerSecond: LOOKUPS,
  dossiersPerSecond: DOSSIERS,
  runId: `chaos-${Date.now()}`,
  retryUntil: () => loadEnds + 60_000
})

const events: ChaosEvent[] = []
const at = (): number => Math.round((Date.now() - loadStarted) / 1000)

// A gateway that dies on its own is a finding: recorded, then started again every second until it is ready, as an
// orchestrator would (the failed starts are counted: a crash loop).
const crashes: Array<{ gateway: string, at: number, code: number | null, signal: string | null, log: string, failedStarts: number }> = []
/** Whether a gateway should be running (false between the scenario's kill and restart of gateway-b). */
const wanted = new Map([[a.name, true], [b.name, true]])
for (const g of [a, b]) {
  g.onCrash((exit) => {
    const crash = { gateway: g.name, at: at(), ...exit, failedStarts: 0 }
    crashes.push(crash)
    say(`${g.name} DIED on its own (exit code ${String(exit.code)}, signal ${String(exit.signal)}); restarting it`)
    void (async () => {
      while (wanted.get(g.name) === true && !g.running()) {
        await sleep(1000)
        try {
          await g.start()
          events.push({ at: crash.at, what: `${g.name} crashed (exit ${String(exit.code ?? exit.signal)}), up again after ${crash.failedStarts} failed starts`, tookMs: (at() - crash.at) * 1000 })
        } catch {
          crash.failedStarts++
        }
      }
    })()
  })
}
async function fault (what: string, action: () => Promise<void>): Promise<void> {
  const t0 = Date.now()
  say(what)
  const failed = await action().then(() => '', (err: Error) => ` FAILED: ${err.message.split('\n')[0]}`)
  events.push({ at: Math.round((t0 - loadStarted) / 1000), what: what + failed, tookMs: Date.now() - t0 })
}
/** Runs the scenario's steps at their share of the run. */
async function timeline (steps: Array<[number, string, () => Promise<void>]>): Promise<void> {
  for (const [share, what, action] of steps) {
    const wait = loadStarted + share * SECONDS * 1000 - Date.now()
    if (wait > 0) await sleep(wait)
    await fault(what, action)
  }
}

const loadStarted = Date.now()
load.start()
await timeline([
  [0.1, 'Redis killed (SIGKILL)', async () => { await stack.killRedis() }],
  [0.22, 'Redis restarted', async () => { await stack.startRedis() }],
  [0.33, 'PostgreSQL crashed (SIGQUIT)', async () => { await stack.crashPostgres() }],
  [0.45, 'PostgreSQL restarted (crash recovery)', async () => { await stack.startPostgres() }],
  [0.5, 'population registry down', async () => { sims.sims.citizen.faults.set({ down: true }) }],
  [0.56, 'portal (DVCQG) down', async () => { sims.sims.dvcqg.faults.set({ down: true }) }],
  [0.62, 'population registry back', async () => { sims.sims.citizen.faults.reset() }],
  [0.68, 'portal back; gateway-b killed (SIGKILL)', async () => { sims.sims.dvcqg.faults.reset(); wanted.set(b.name, false); await b.kill('SIGKILL') }],
  [0.8, 'gateway-b restarted', async () => { wanted.set(b.name, true); await b.start() }],
  [0.84, 'Redis frozen (SIGSTOP)', async () => { stack.freeze('redis') }],
  [0.88, 'Redis resumed (SIGCONT)', async () => { stack.thaw('redis') }],
  [0.91, 'PostgreSQL frozen (SIGSTOP of every process)', async () => { say(`${stack.freeze('postgres')} PostgreSQL processes stopped`) }],
  [0.95, 'PostgreSQL resumed (SIGCONT)', async () => { stack.thaw('postgres') }],
  [1, 'load stopped', async () => {}]
])
loadEnds = Date.now()
await load.stop()
say(`load stopped at ${at()} s; ${load.deliveries.filter((r) => r.outcome === undefined).length} deliveries still open`)

// gateway-a was never restarted: it must serve again by itself after Redis, PostgreSQL and the upstream came back
const recovered: Record<string, number | string> = {}
for (const g of [a, b]) {
  const lbOne = new Balancer([g.url])
  const r = await lbOne.send('POST', '/v1/lookups/citizen.lookup', { authorization: await token.header(), 'x-purpose': '1.000894' }, lookup(0).body)
    .catch((err: Error) => err.message)
  recovered[g.name] = typeof r === 'string' ? r : r.status
  await lbOne.close()
}
say(`lookups after the chaos: ${JSON.stringify(recovered)}; waiting for the deliveries`)
const deliveries = await checkDeliveries(stack.databaseUrl, sims.sims.dvcqg.portal, load.deliveries, DRAIN_MS)

const outcomes = byKind(load.outcomes)
const all = [...load.outcomes]
const errors: Record<string, number> = {}
for (const [key, n] of all) {
  const [, status, ...code] = key.split(' ')
  if (!/^[23]/.test(status)) errors[`${status} ${code.join(' ')}`.trim()] = (errors[`${status} ${code.join(' ')}`.trim()] ?? 0) + n
}
const sent = all.reduce((s, [, n]) => s + n, 0)
const summary = {
  seconds: SECONDS,
  rates: { lookupsPerSecond: LOOKUPS, dossiersPerSecond: DOSSIERS },
  events: events.sort((x, y) => x.at - y.at),
  requests: {
    sent,
    answered: all.filter(([k]) => !k.includes('no answer')).reduce((s, [, n]) => s + n, 0),
    ok: all.filter(([k]) => / [23]\d\d( |$)/.test(k)).reduce((s, [, n]) => s + n, 0),
    skippedAtClientCap: load.skipped
  },
  outcomes,
  errors,
  errorsWithoutCode: Object.fromEntries(load.uncoded),
  errorsByWindow: Object.fromEntries([...load.errorsByWindow].map(([w, m]) => [`${w * 10}–${w * 10 + 10} s`, Object.fromEntries(m)])),
  afterChaos: recovered,
  deliveries,
  crashes,
  verdict: [
    deliveries.lost.length === 0 && deliveries.doubled.length === 0 && deliveries.portalDuplicates === 0 ? 'none lost, none doubled' : 'LOST OR DOUBLED',
    ...(crashes.length > 0 ? [`${crashes.length} gateway crash(es)`] : [])
  ].join('; ')
}
console.log(JSON.stringify(summary, null, 2))
console.log('\n| window | sent | 2xx | 4xx/5xx | no answer |\n|---|---|---|---|---|\n' + windows(load.seconds, 10).join('\n'))
console.log('\n' + table(summary))

await lb.close()
wanted.set(a.name, false)
wanted.set(b.name, false)
await Promise.allSettled([a.kill('SIGTERM'), b.kill('SIGTERM')])
await sims.close()
await stack.stop()
if (process.env.CHAOS_KEEP === undefined) rmSync(dir, { recursive: true, force: true })
else say(`kept ${dir}`)
// 1: an accepted delivery lost or doubled; 2: none, but a gateway process died on its own
process.exit(summary.verdict.startsWith('LOST') ? 1 : crashes.length > 0 ? 2 : 0)
