/**
 * `npm run soak` (issue 7): one gateway process (dist/, like `npm start`) on a private Redis and PostgreSQL with the
 * simulators, under a steady moderate load of lookups and dossier deliveries for SOAK_MINUTES (default 10). Every
 * SOAK_SAMPLE_SECONDS (default 5) the gateway's RSS, heap and event-loop delay are sampled from inside the process
 * (bench/soak/probe.ts, loaded with --import) and its RSS from /proc as well. Reports the first and the last window
 * (SOAK_WINDOW_SECONDS, default 60, after a warm-up of 30 s) and whether they stayed flat; exits 1 when they did not
 * or when an accepted delivery was lost.
 *
 *   npm run soak                  SOAK_MINUTES=10 SOAK_LOOKUPS_PER_SECOND=50 SOAK_DOSSIERS_PER_SECOND=5
 *   SOAK_MINUTES=1 npm run soak   (a quick check; windows shrink to a fifth of the run)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { startSimulators } from '../src/simulators/index.js'
import { checkDeliveries } from './chaos/check.js'
import { Balancer } from './chaos/client.js'
import { Load } from './chaos/load.js'
import { byKind, windows } from './chaos/report.js'
import { gateways, sharedEnv, systemClient } from './chaos/setup.js'
import { startStack } from './chaos/stack.js'
import { flat, slopePerMinute, windowOf, type Sample } from './soak/stats.js'

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10)
const LOOKUPS = Number(process.env.SOAK_LOOKUPS_PER_SECOND ?? 50)
const DOSSIERS = Number(process.env.SOAK_DOSSIERS_PER_SECOND ?? 5)
const SAMPLE_MS = Number(process.env.SOAK_SAMPLE_SECONDS ?? 5) * 1000
const runMs = MINUTES * 60_000
const warmUpMs = Math.min(30_000, runMs / 10)
const windowMs = Math.min(Number(process.env.SOAK_WINDOW_SECONDS ?? 60) * 1000, (runMs - warmUpMs) / 5)
const begun = Date.now()
const say = (m: string): void => { process.stderr.write(`[soak ${Math.round((Date.now() - begun) / 1000)}s] ${m}\n`) }

const dir = mkdtempSync(join(tmpdir(), 'lienthong-soak-'))
const probeFile = join(dir, 'probe.jsonl')
const stack = await startStack(dir, () => {})
const sims = await startSimulators({ host: '127.0.0.1' })
const probe = fileURLToPath(new URL('soak/probe.js', import.meta.url))
const [gw] = await gateways(dir, ['gateway'], sharedEnv(stack, sims, { SOAK_PROBE_FILE: probeFile, SOAK_SAMPLE_MS: String(SAMPLE_MS) }), [probe])
await gw.start()
say(`gateway ${gw.url} (pid ${String(gw.pid())}) ready; ${MINUTES} min at ${LOOKUPS} lookups/s and ${DOSSIERS} dossiers/s (+ a step each)`)

const lb = new Balancer([gw.url])
const token = await systemClient(lb)
await token.header()
let loadEnds = Infinity
const load = new Load(lb, token, { lookupsPerSecond: LOOKUPS, dossiersPerSecond: DOSSIERS, runId: `soak-${Date.now()}`, retryUntil: () => loadEnds + 60_000 })

/** VmRSS of the gateway, read from outside, matched to the probe's samples by time afterwards. */
const procRss: Array<{ t: number, rss: number }> = []
const started = Date.now()
const outside = setInterval(() => {
  const pid = gw.pid()
  if (pid === undefined) return
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  if (kb !== undefined) procRss.push({ t: Date.now(), rss: Number(kb) * 1024 })
}, SAMPLE_MS)
load.start()
for (let m = 1; Date.now() - started < runMs; m++) {
  await sleep(Math.min(60_000, runMs - (Date.now() - started)))
  if (Date.now() - started < runMs) say(`${m} min`)
}
loadEnds = Date.now()
clearInterval(outside)
await load.stop()
const crashed = !gw.running()
const deliveries = await checkDeliveries(stack.databaseUrl, sims.sims.dvcqg.portal, load.deliveries, 120_000)

const samples: Sample[] = existsSync(probeFile)
  ? readFileSync(probeFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Sample).filter((s) => s.t <= loadEnds)
  : []
for (const s of samples) s.procRss = procRss.find((p) => Math.abs(p.t - s.t) < SAMPLE_MS / 2)?.rss
const measured = samples.filter((s) => s.t >= started + warmUpMs)
const first = windowOf(measured.filter((s) => s.t < started + warmUpMs + windowMs), started)
const last = windowOf(measured.filter((s) => s.t > loadEnds - windowMs), started)
const verdict = flat(first, last)
const all = [...load.outcomes]
const summary = {
  minutes: MINUTES,
  rates: { lookupsPerSecond: LOOKUPS, dossiersPerSecond: DOSSIERS },
  requests: { sent: all.reduce((s, [, n]) => s + n, 0), outcomes: byKind(load.outcomes), skippedAtClientCap: load.skipped },
  deliveries: { accepted: deliveries.accepted, delivered: deliveries.delivered, lost: deliveries.lost.length, doubled: deliveries.doubled.length + deliveries.portalDuplicates },
  samples: samples.length,
  windowSeconds: windowMs / 1000,
  first,
  last,
  rssSlopeMbPerMinute: Math.round(slopePerMinute(measured, (s) => s.rss / 1048576) * 100) / 100,
  heapSlopeMbPerMinute: Math.round(slopePerMinute(measured, (s) => s.heapUsed / 1048576) * 100) / 100,
  procRssMb: { first: Math.round((measured.find((s) => s.procRss !== undefined)?.procRss ?? 0) / 1048576), last: Math.round(([...measured].reverse().find((s) => s.procRss !== undefined)?.procRss ?? 0) / 1048576) },
  crashed,
  flat: verdict
}
console.log(JSON.stringify(summary, null, 2))
console.log('\n| window | sent | 2xx | 4xx/5xx | no answer |\n|---|---|---|---|---|\n' + windows(load.seconds, 60).join('\n'))
console.log(`\n| soak ${MINUTES} min | first window (${first.from}) | last window (${last.from}) | flat |\n|---|---|---|---|\n` +
  `| RSS MB | ${first.rssMb} | ${last.rssMb} | ${verdict.rss ? 'yes' : 'NO'} |\n` +
  `| heapUsed MB | ${first.heapUsedMb} | ${last.heapUsedMb} | |\n` +
  `| event-loop delay mean / p99 / max ms | ${first.eldMeanMs} / ${first.eldP99Ms} / ${first.eldMaxMs} | ${last.eldMeanMs} / ${last.eldP99Ms} / ${last.eldMaxMs} | ${verdict.eventLoop ? 'yes' : 'NO'} |\n` +
  `| deliveries accepted / delivered / lost | ${deliveries.accepted.dossiers + deliveries.accepted.steps} / ${deliveries.delivered.dossiers + deliveries.delivered.steps} / ${deliveries.lost.length} | | |`)

await lb.close()
await gw.kill('SIGTERM')
await sims.close()
await stack.stop()
if (process.env.SOAK_KEEP === undefined) rmSync(dir, { recursive: true, force: true })
else say(`kept ${dir}`)
process.exit(verdict.rss && verdict.eventLoop && deliveries.lost.length === 0 && !crashed ? 0 : 1)
