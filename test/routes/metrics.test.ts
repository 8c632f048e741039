import t from 'tap'
import { spawnSync } from 'node:child_process'
import { findOnPath } from '../../src/dev/find-binaries.js'
import { build, tokenFor } from '../helper.js'

const promtool = findOnPath('promtool')

/** /metrics after a token request and a lookup refused for its purpose (so that the histograms have points). */
async function scrape (t: Tap.Test): Promise<string> {
  const app = await build(t)
  const token = await tokenFor(app, ['system'], ['citizen.lookup'])
  await app.inject({ method: 'POST', url: '/v1/lookups/citizen.lookup', headers: { authorization: `Bearer ${token}` }, payload: {} })
  await app.inject('/health/live')
  const res = await app.inject('/metrics')
  t.equal(res.statusCode, 200)
  return res.body
}

t.test('/metrics: Node.js runtime metrics (event loop delay and utilisation, heap)', async (t) => {
  const text = await scrape(t)
  t.match(text, /^nodejs_eventloop_delay_p99_seconds \d/m, 'event loop delay')
  t.match(text, /^nodejs_eventloop_utilization_ratio \d/m, 'event loop utilisation')
  t.match(text, /^v8js_memory_heap_used_bytes\{[^}]*v8js_heap_space_name="old_space"[^}]*\} \d/m, 'heap per space')
  t.match(text, /^# TYPE v8js_gc_duration_seconds histogram$/m, 'GC durations')
})

t.test('/metrics: every histogram and every metric with a unit carries it in its name (_seconds, _bytes)', async (t) => {
  const text = await scrape(t)
  const histograms = [...text.matchAll(/^# TYPE (\S+) histogram$/gm)].map((m) => m[1])
  t.ok(histograms.includes('lienthong_http_duration_seconds'), histograms.join(' '))
  t.ok(histograms.includes('lienthong_lookup_duration_seconds'))
  t.same(histograms.filter((n) => !/_(seconds|bytes)$/.test(n)), [], 'no histogram without its unit')
  const units = [...text.matchAll(/^# UNIT (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]])
  const expect: Record<string, RegExp> = { s: /_seconds(_total)?$/, By: /_bytes(_total)?$/, 1: /_ratio$/ }
  t.same(units.filter(([name, unit]) => expect[unit] !== undefined && !expect[unit].test(name)), [], 'each name ends with its unit')
})

t.test('/metrics passes promtool check metrics (names, units, suffixes)', {
  skip: promtool === undefined ? 'promtool is not installed (Debian: apt-get install prometheus); the check is skipped' : false
}, async (t) => {
  const text = await scrape(t)
  const res = spawnSync(promtool as string, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 })
  t.equal(res.status, 0, `promtool exit status (${res.stdout}${res.stderr})`)
  t.equal(`${res.stdout}${res.stderr}`.trim(), '', 'no problem reported')
})
