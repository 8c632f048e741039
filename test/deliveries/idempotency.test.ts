import t from 'tap'
import { createHash } from 'node:crypto'
import { canonicalJson, idempotencyOf, sha256 } from '../../src/deliveries/idempotency.js'

/** The first implementation, whose text every stored body hash was made of: the current one must give the same. */
function reference (value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** Deterministic pseudo-random JSON values (keys in odd orders, unicode, nesting, undefined members). */
function values (seed: number, n: number): unknown[] {
  let s = seed
  const rnd = (): number => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 }
  const keys = ['a', 'B', 'é', 'Z', '10', '9', '', 'ä', '😀', 'a b', '"q"', 'Nguyễn', '_', 'aa', 'A']
  const make = (depth: number): unknown => {
    const r = rnd()
    if (depth > 3 || r < 0.3) return [null, true, false, 0, -1.5, 1e21, 'x', 'Đăng ký', '\n\u0000', undefined][Math.floor(rnd() * 10)]
    if (r < 0.6) return Array.from({ length: Math.floor(rnd() * 4) }, () => make(depth + 1))
    const o: Record<string, unknown> = {}
    for (let i = Math.floor(rnd() * 6); i > 0; i--) o[keys[Math.floor(rnd() * keys.length)]] = make(depth + 1)
    return o
  }
  return Array.from({ length: n }, () => make(0))
}

t.test('canonicalJson gives the text of the first implementation, so stored body hashes still match', async (t) => {
  for (const v of values(42, 2000)) {
    if (reference(v) !== canonicalJson(v)) t.fail(`differs for ${reference(v)}: ${canonicalJson(v)}`)
  }
  t.equal(canonicalJson([1, undefined, 2]), reference([1, undefined, 2]), 'an undefined element')
  t.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }] }, u: undefined }), '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}')
})

t.test('the body hash of a request is the one stored before (pinned)', async (t) => {
  const body = { code: 'X-1', é: [1, 'two', { z: null, a: true }], B: { y: 2.5, x: -1 }, a: 'Nguyễn', u: undefined, emoji: '😀' }
  const id = idempotencyOf(undefined, 'dossier.sync', 'X-1', body)
  t.equal(id.bodyHash, '3f226411b83f7f659955ead9f0f8ea6558509f1f03db6aa188e386f4001bb734')
  t.equal(id.key, `auto:dossier.sync:X-1:${id.bodyHash}`)
  t.equal(sha256('é'), createHash('sha256').update('é').digest('hex'))
})
