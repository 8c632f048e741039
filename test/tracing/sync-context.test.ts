import t from 'tap'
import { createContextKey, ROOT_CONTEXT } from '@opentelemetry/api'
import { SyncContextManager } from '../../src/tracing/sync-context.js'

const key = createContextKey('test')

t.test('a context is active for the synchronous extent of with(), and the previous one comes back after', async (t) => {
  const m = new SyncContextManager().enable()
  const outer = ROOT_CONTEXT.setValue(key, 'outer')
  const inner = ROOT_CONTEXT.setValue(key, 'inner')
  t.equal(m.active(), ROOT_CONTEXT)
  const seen = m.with(outer, (a: number, b: number) => {
    const nested = m.with(inner, () => m.active().getValue(key))
    return [a + b, nested, m.active().getValue(key)]
  }, undefined, 1, 2)
  t.same(seen, [3, 'inner', 'outer'], 'arguments passed, nesting restores the outer context')
  t.equal(m.active(), ROOT_CONTEXT)
  t.throws(() => m.with(outer, () => { throw new Error('boom') }), /boom/)
  t.equal(m.active(), ROOT_CONTEXT, 'restored after a throw too')
})

t.test('an async function keeps the context only until its first await (no async propagation)', async (t) => {
  const m = new SyncContextManager()
  const ctx = ROOT_CONTEXT.setValue(key, 'v')
  const values: unknown[] = []
  await m.with(ctx, async () => {
    values.push(m.active().getValue(key))
    await new Promise((resolve) => setImmediate(resolve))
    values.push(m.active().getValue(key))
  })
  t.same(values, ['v', undefined])
})

t.test('bind runs a function in the given context; other values are returned as they are', async (t) => {
  const m = new SyncContextManager()
  const ctx = ROOT_CONTEXT.setValue(key, 'bound')
  const f = m.bind(ctx, function (this: { n: number }, x: number) { return [this.n + x, m.active().getValue(key)] })
  t.same(f.call({ n: 1 }, 2), [3, 'bound'])
  const obj = { a: 1 }
  t.equal(m.bind(ctx, obj), obj)
  m.with(ctx, () => { m.disable() })
  t.equal(m.active(), ROOT_CONTEXT)
})
