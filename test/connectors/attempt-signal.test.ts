import t from 'tap'
import { getEventListeners } from 'node:events'
import { setTimeout as delay } from 'node:timers/promises'
import { AttemptSignal } from '../../src/connectors/runtime/attempt-signal.js'

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
