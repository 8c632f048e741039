import t from 'tap'
import { setImmediate as yieldLoop, setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.js'

/**
 * Keeps the event loop busy until `until` (performance.now()) as a loaded process does: 400 ms of synchronous work
 * at a time, the loop turning in between (so the delay sampler sees long delays, not one pause).
 */
async function busyUntil (until: number): Promise<void> {
  while (performance.now() < until) {
    const slice = Math.min(until, performance.now() + 400)
    while (performance.now() < slice) { /* busy */ }
    await yieldLoop()
  }
}

const services = async (app: FastifyInstance) => await app.inject({ method: 'GET', url: '/v1/services' })

t.test('the event-loop delay of the start is not overload; the same delay later is shed with 503', async (t) => {
  const app = await build(t, { env: { MAX_EVENT_LOOP_DELAY_MS: '200' } })
  const ready = performance.now()
  // the start's own synchronous work, as the delay sampler meets it in its first window(s)
  await busyUntil(ready + 1500)
  const early = await services(app)
  t.not(early.statusCode, 503, `a request right after a slow start is served (${early.body.slice(0, 120)})`)

  // past the first two sample windows, a loop as busy is overload: a fast 503 with Retry-After
  await sleep(Math.max(0, ready + 2100 - performance.now()))
  await busyUntil(performance.now() + 2500)
  const res = await services(app)
  t.equal(res.statusCode, 503, 'shed')
  t.equal(res.json().code, 'SERVICE_UNAVAILABLE')
  t.match(res.headers['retry-after'], /^\d+$/)
  t.match(res.json().detail, /eventLoopDelay/)
})
