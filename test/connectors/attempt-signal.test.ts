import t from 'tap'
import { createServer } from 'node:http'
import { getEventListeners, once } from 'node:events'
import { setTimeout as delay } from 'node:timers/promises'
import { AttemptSignal } from '../../src/connectors/runtime/attempt-signal.js'
import { UpstreamFailure } from '../../src/connectors/contract.js'
import { probeInstance, silentLog } from './probe-type.js'

/** Aborted, by its time running out or not, with a reason of this name / message. */
function aborted (t: Tap.Test, a: AttemptSignal, timedOut: boolean, reason: string): void {
  t.equal(a.signal.aborted, true)
  t.equal(a.timedOut, timedOut)
  const r = a.signal.reason as Error
  t.equal(timedOut ? r.name : r.message, reason)
  a.release()
}

t.test('aborts with a TimeoutError when its time is up', async (t) => {
  const a = new AttemptSignal(5)
  await delay(30)
  aborted(t, a, true, 'TimeoutError')
})

t.test('follows the caller: aborted with its reason, not counted as a timeout', async (t) => {
  const caller = new AbortController()
  const a = new AttemptSignal(10_000, caller.signal)
  t.equal(getEventListeners(caller.signal, 'abort').length, 1)
  caller.abort(new Error('shutting down'))
  aborted(t, a, false, 'shutting down')
})

t.test('an already aborted caller aborts the attempt at once', async (t) => {
  const caller = new AbortController()
  caller.abort(new Error('gone'))
  aborted(t, new AttemptSignal(10_000, caller.signal), false, 'gone')
})

t.test('released: no abort later, nothing left on the caller signal (many attempts, one caller)', async (t) => {
  const caller = new AbortController()
  const attempts = Array.from({ length: 10 }, () => new AttemptSignal(5, caller.signal))
  t.equal(getEventListeners(caller.signal, 'abort').length, 10)
  for (const a of attempts) { a.release(); a.release() }
  t.equal(getEventListeners(caller.signal, 'abort').length, 0)
  await delay(30)
  t.equal(attempts.filter((a) => a.signal.aborted || a.timedOut).length, 0)
  caller.abort()
  t.equal(attempts.filter((a) => a.signal.aborted).length, 0)
})

t.test('a connector call past its deadline is a timeout, at the deadline, with the signal given to the runtime', async (t) => {
  // an upstream that never answers
  const server = createServer(() => {})
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  const signals: AbortSignal[] = []
  const runtime = { headersTimeoutMs: 5000, deadlineMs: 300, retries: { attempts: 0, baseDelayMs: 10, maxDelayMs: 10 } }
  const inst = probeInstance(t, origin, async (ctx) => {
    signals.push(ctx.signal)
    const res = await ctx.http.request({ method: 'POST', path: '/lookup', body: '{}', signal: ctx.signal })
    return await res.body.json()
  }, { runtime })
  const started = Date.now()
  const err = await inst.lookup('citizen.lookup', {}, { idempotent: true, log: silentLog }).then(() => undefined, (e: unknown) => e)
  const took = Date.now() - started
  t.ok(err instanceof UpstreamFailure, 'an upstream failure')
  t.equal((err as UpstreamFailure).kind, 'timeout')
  t.ok(took >= 250 && took < 4000, `at the deadline, not the headers timeout (${took} ms)`)
  t.equal(signals.length, 1)
  t.equal(signals[0].aborted, true, 'the runtime was given the attempt signal, aborted')
})
