import t from 'tap'
import { allowedFrom, canTransition, TrangThaiHoSo as S } from '../../src/deliveries/status.js'
import { maybeApplied, retryDelay } from '../../src/deliveries/retry-policy.js'
import { idempotencyOf } from '../../src/deliveries/idempotency.js'
import { UpstreamFailure } from '../../src/connectors/contract.js'

t.test('TrangThaiHoSo transitions of domain.md §1.4', async (t) => {
  const allowed: Array<[number, number]> = [[1, 2], [1, 3], [2, 4], [4, 5], [4, 6], [4, 8], [4, 9], [5, 4], [5, 8], [6, 4], [6, 9], [9, 10],
    [1, 7], [2, 7], [4, 7], [5, 7], [6, 7], [8, 7], [4, 4]]
  for (const [from, to] of allowed) t.ok(canTransition(from, to), `${from} → ${to}`)
  const forbidden: Array<[number, number]> = [[1, 4], [2, 9], [3, 2], [7, 4], [9, 7], [10, 9], [10, 7], [4, 10], [5, 9], [2, 1], [0, 1], [4, 11]]
  for (const [from, to] of forbidden) t.notOk(canTransition(from, to), `${from} ↛ ${to}`)
  t.same(allowedFrom(S.DaTraKetQua), [9, 10])
  t.same(allowedFrom(S.RutHoSo), [1, 2, 4, 5, 6, 7, 8])
})

t.test('retry delays grow exponentially with jitter, capped', async (t) => {
  const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 }
  t.equal(retryDelay(1, policy, () => 0), 50)
  t.equal(retryDelay(1, policy, () => 1), 100)
  t.equal(retryDelay(3, policy, () => 1), 400)
  t.equal(retryDelay(10, policy, () => 1), 1000)
  t.equal(retryDelay(10, policy, () => 0), 500)
})

t.test('whether a failed call may have been applied', async (t) => {
  t.equal(maybeApplied(new UpstreamFailure('timeout', 'slow')), true)
  t.equal(maybeApplied(new UpstreamFailure('unavailable', 'reset', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) })), true)
  t.equal(maybeApplied(new UpstreamFailure('unavailable', 'refused', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) })), false)
  t.equal(maybeApplied(new UpstreamFailure('error', 'code 99', { upstreamCode: '99', upstreamStatus: 200 })), false)
  t.equal(maybeApplied(new UpstreamFailure('unavailable', '503', { upstreamStatus: 503 })), false)
  t.equal(maybeApplied(new UpstreamFailure('timeout', '504', { upstreamStatus: 504 })), true)
  t.equal(maybeApplied(new UpstreamFailure('circuit_open', 'open', { retryable: false })), false)
})

t.test('idempotency identity', async (t) => {
  const a = idempotencyOf(undefined, 'dossier.sync', 'X', { b: 1, a: 2 })
  const b = idempotencyOf(undefined, 'dossier.sync', 'X', { a: 2, b: 1 })
  t.same(a, b, 'key order does not matter')
  t.not(idempotencyOf(undefined, 'dossier.progress', 'X', { a: 2, b: 1 }).key, a.key)
  t.equal(idempotencyOf('abcdefgh', 'dossier.sync', 'X', {}).key, 'key:abcdefgh')
  t.throws(() => idempotencyOf('short', 'dossier.sync', 'X', {}), { code: 'VALIDATION_FAILED' })
})
