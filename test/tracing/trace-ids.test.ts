import t from 'tap'
import { RandomHexIds, idGenerator, parseTraceparent, sampledTraceparent } from '../../src/tracing/trace-context.js'

t.test('ids: lowercase hex of their size, all different across batches', async (t) => {
  const traceIds = Array.from({ length: 1000 }, () => idGenerator.generateTraceId())
  const spanIds = Array.from({ length: 1000 }, () => idGenerator.generateSpanId())
  t.ok(traceIds.every((id) => /^[0-9a-f]{32}$/.test(id)))
  t.ok(spanIds.every((id) => /^[0-9a-f]{16}$/.test(id)))
  t.equal(new Set(traceIds).size, 1000)
  t.equal(new Set(spanIds).size, 1000)
})

t.test('ids: never all zero, whatever the random bytes', async (t) => {
  let fills = 0
  const ids = new RandomHexIds(8, 4, (b) => { fills++; b.fill(0); b[9] = 7 })
  const got = Array.from({ length: 8 }, () => ids.next())
  t.equal(fills, 2, 'one fill per batch of 4')
  t.same(got.slice(0, 4), ['0000000000000001', '0000000000000001', '0007000000000000', '0000000000000001'])
})

t.test('sampledTraceparent: the sampled bit of every flags byte, as parsing tells it', async (t) => {
  const head = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-'
  const wrong: string[] = []
  for (let flags = 0; flags < 256; flags++) {
    const tp = head + flags.toString(16).padStart(2, '0')
    if (sampledTraceparent(tp) !== ((parseInt(parseTraceparent(tp)?.flags ?? '', 16) & 1) === 1)) wrong.push(tp)
  }
  t.same(wrong, [])
  t.notOk(sampledTraceparent(undefined))
  t.notOk(sampledTraceparent(''))
  t.notOk(sampledTraceparent(`${head}1`), 'not a version-00 header')
})
