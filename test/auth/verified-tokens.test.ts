import t from 'tap'
import { VerifiedTokens } from '../../src/auth/verified-tokens.js'

t.test('remembered until exp, by the exact header', async (t) => {
  const tokens = new VerifiedTokens<{ sub: string, exp?: number }>()
  const now = 1_800_000_000_000
  tokens.set('Bearer a', { sub: 'a', exp: now / 1000 + 60 })
  t.same(tokens.get('Bearer a', now), { sub: 'a', exp: now / 1000 + 60 })
  t.equal(tokens.get('bearer a', now), undefined, 'another spelling is another token')
  t.equal(tokens.get('Bearer a', now + 60_000), undefined, 'at exp it is gone')
  t.equal(tokens.size, 0, 'and forgotten')
  tokens.set('Bearer b', { sub: 'b' })
  t.equal(tokens.get('Bearer b', now), undefined, 'a token without exp is never kept')
})

t.test('bounded: the least recently used go first', async (t) => {
  const tokens = new VerifiedTokens<{ exp: number }>(3)
  const exp = Date.now() / 1000 + 600
  for (const k of ['1', '2', '3']) tokens.set(k, { exp })
  t.ok(tokens.get('1'))
  tokens.set('4', { exp })
  t.equal(tokens.size, 3)
  t.equal(tokens.get('2'), undefined)
  t.ok(tokens.get('1'))
  t.ok(tokens.get('4'))
})
