import { stream } from '../../src/simulators/seed/prng.js'
import { sampleIds } from '../../src/simulators/index.js'
import { fuzzGateway } from './gateway.js'
import { prototypeShape, settledHeap } from './memory.js'
import { describe, firstOfEachKind, Tally } from './report.js'
import { makeRequest, type FuzzRequest } from './requests.js'
import type { Route } from './routes.js'
import { accessWrong, judge, type Answer } from './verdict.js'
import { POLLUTED } from './values.js'

/**
 * Fuzz through `app.inject`: generated malformed or hostile requests, spread round-robin over every route the
 * gateway has, from a seeded generator (FUZZ_SEED; FUZZ_ONLY=n replays request n alone and prints it). Request n is
 * the same whichever file runs it, so the 10,000 are split over two files (two processes: tap runs them side by side).
 * No 5xx beyond the short list of verdict.ts, every error problem+json with a code, no secret or file in any answer;
 * afterwards the gateway is ready, built-in prototypes are untouched and the heap is back near its baseline.
 */
export const SEED = Number(process.env.FUZZ_SEED ?? 20250701)
const ONLY = process.env.FUZZ_ONLY !== undefined ? Number(process.env.FUZZ_ONLY) : undefined
const IN_FLIGHT = 8
/** Heap growth allowed after the run, over the baseline taken after the warm-up: caches fill, nothing may pile up. */
const HEAP_SLACK_BYTES = 64 * 1024 * 1024
const WARM_UP = 300
/** Reads whose cost grows with the run (the whole audit trail, every metric series): a fifth of the share of the others. */
const GROWING = /^\/v1\/audit\/(verify|export)$|^\/metrics$/

/** The order routes are fuzzed in: round-robin, the growing reads in one round of five. */
function schedule (routes: Route[]): Route[] {
  return [0, 1, 2, 3, 4].flatMap((round) => routes.filter((r) => round === 0 || !GROWING.test(r.url)))
}

function codeOf (body: string): string {
  try {
    return String((JSON.parse(body) as { code?: unknown }).code)
  } catch {
    return '(not JSON)'
  }
}

/** Runs requests [from, to) of the generator against a fresh gateway, with every check. */
export async function injectFuzz (t: Tap.Test, from: number, to: number): Promise<void> {
  const { app, routes, tokens, secrets } = await fuzzGateway(t)
  t.ok(routes.length >= 40, `${routes.length} method+url pairs found`)
  t.ok(routes.some((r) => r.method === 'POST' && r.url === '/v1/lookups/:serviceId'), 'the lookups route is among them')
  const order = schedule(routes)
  const shape = prototypeShape()

  const byStatus = new Tally()
  const byCode = new Tally()
  const byRoute = new Tally()
  const failures: Array<Record<string, unknown>> = []
  let refusedByClient = 0

  async function one (i: number): Promise<void> {
    const route = order[i % order.length]
    const req: FuzzRequest = makeRequest(stream(SEED, `inject:${i}`), route, tokens, app.config.bodyLimitBytes)
    let answer: Answer
    try {
      const res = await app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, payload: req.payload })
      answer = { status: res.statusCode, headers: res.headers, body: res.body }
    } catch (err) {
      // light-my-request itself refuses some requests (header values node cannot send): wire.test.ts sends them
      refusedByClient++
      if (ONLY !== undefined) t.comment(`inject refused: ${(err as Error).message}`)
      return
    }
    byRoute.add(`${route.method} ${route.url}`)
    byStatus.add(String(answer.status))
    if (answer.status >= 400 && req.method !== 'HEAD') byCode.add(`${answer.status} ${codeOf(answer.body)}`)
    // inject parses the URL as WHATWG does: an encoded dot segment (%2e%2e) is resolved, so the request may reach
    // another route than the one it was made for; its access is judged by the path it reached
    const reached = /%2e/i.test(req.url) ? new URL(req.url, 'http://gateway').pathname : route.url
    const wrong = [...judge(req.method, req.url, answer, { texts: secrets }), ...accessWrong(reached, req.roles, answer.status)]
    if (wrong.length > 0 || ONLY !== undefined) failures.push(describe(i, SEED, req, answer, wrong))
  }

  async function run (first: number, end: number): Promise<void> {
    let next = first
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next < end) await one(next++)
    }))
  }

  if (ONLY !== undefined) {
    if (ONLY >= from && ONLY < to) await one(ONLY)
    t.comment(JSON.stringify(failures[0] ?? `request ${ONLY} is not one of this file's [${from}, ${to})`, null, 2))
    return
  }

  // a warm-up (JIT, caches, connection pools), then the heap baseline, then the rest
  const cpu = process.cpuUsage()
  const started = performance.now()
  await run(from, from + WARM_UP)
  const baseline = await settledHeap()
  await run(from + WARM_UP, to)

  t.comment(`seed ${SEED}, requests [${from}, ${to}): ${byStatus.total} answered, ${refusedByClient} refused by the inject client, over ${routes.length} routes`)
  const used = process.cpuUsage(cpu)
  t.comment(`${Math.round(performance.now() - started)} ms, ${Math.round((used.user + used.system) / 1000)} ms of CPU in this process (gateway, simulators and fuzz)`)
  t.comment(`by status ${JSON.stringify(byStatus)}`)
  t.comment(`errors by code ${JSON.stringify(byCode)}`)
  t.equal(byStatus.total + refusedByClient, to - from, `${to - from} requests generated`)
  t.same(routes.filter((r) => !(`${r.method} ${r.url}` in byRoute.toJSON())).map((r) => `${r.method} ${r.url}`), [], 'every route was fuzzed')
  t.same(firstOfEachKind(failures), [], `${failures.length} wrong answers (the first of each kind shown)`)

  const ready = await app.inject({ url: '/health/ready' })
  t.equal(ready.statusCode, 200, `ready afterwards: ${ready.body}`)
  const lookup = await app.inject({
    method: 'POST',
    url: '/v1/lookups/citizen.lookup',
    headers: { authorization: tokens.byRole.system, 'x-purpose': '1.000894' },
    payload: sampleIds()['citizen.lookup'][0]
  })
  t.equal(lookup.statusCode, 200, `a lookup still answers: ${lookup.body.slice(0, 200)}`)
  t.equal(prototypeShape(), shape, 'built-in prototypes unchanged')
  t.equal(({} as Record<string, unknown>)[POLLUTED], undefined, 'Object.prototype not polluted')

  const after = await settledHeap()
  t.comment(`heapUsed ${(baseline / 1048576).toFixed(1)} MB after the warm-up, ${(after / 1048576).toFixed(1)} MB after the fuzz`)
  t.ok(after < baseline + HEAP_SLACK_BYTES, 'heap back near its baseline')
}
