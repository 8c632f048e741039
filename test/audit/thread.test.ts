import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.js'
import { verifyChain } from '../../src/audit/verify.js'
import type { AuditEventInput } from '../../src/audit/types.js'

const event = (n: number, over: Partial<AuditEventInput> = {}): AuditEventInput => ({
  kind: 'admin.change', outcome: 'ok', clientId: 'admin-1', requestId: `r-${n}`, details: { n }, ...over
})

const requestIds = async (app: FastifyInstance): Promise<string[]> =>
  (await app.db.query<{ request_id: string }>('SELECT request_id FROM audit_events ORDER BY seq')).rows.map((r) => r.request_id)

t.test('the audit thread killed with events in hand: a new one writes them, none twice, in order', async (t) => {
  const app = await build(t, { env: { AUDIT_KEY: 'thread-test-key-0123456789' } })
  const writer = app.auditTrail.writer
  for (let i = 1; i <= 300; i++) writer.emit(event(i))
  t.equal(writer.depth, 300, 'counted as buffered as soon as emitted')
  await writer.kill() // hands them over first: some may be written, some not
  for (let i = 301; i <= 320; i++) writer.emit(event(i)) // while no thread runs
  t.ok(writer.accepting())
  await writer.flush()
  const ids = await requestIds(app)
  t.equal(ids.length, 320, 'every event once')
  t.same(ids, Array.from({ length: 320 }, (_, i) => `r-${i + 1}`), 'in the order emitted')
  t.equal(writer.depth, 0)
  t.equal(writer.stats.written, 320)
  t.match(await verifyChain(app.db), { ok: true, checked: 320 })
})

t.test('killed again and again while writing: still every event exactly once', async (t) => {
  const app = await build(t, { env: { AUDIT_KEY: 'thread-test-key-0123456789' } })
  const writer = app.auditTrail.writer
  let n = 0
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < 150; i++) writer.emit(event(++n))
    await sleep(15) // within a batch's write, at some point
    await writer.kill()
  }
  await writer.flush()
  const ids = await requestIds(app)
  t.equal(new Set(ids).size, ids.length, 'no event twice')
  t.equal(ids.length, n, 'none lost')
  t.match(await verifyChain(app.db), { ok: true, checked: n })
})

t.test('the buffer bound counts events in the thread too; an event that cannot be copied is kept', async (t) => {
  const app = await build(t, { env: { AUDIT_KEY: 'thread-test-key-0123456789', AUDIT_BUFFER_MAX: '50', AUDIT_BUFFER_HEADROOM: '10' } })
  const writer = app.auditTrail.writer
  for (let i = 1; i <= 50; i++) writer.emit(event(i))
  t.notOk(writer.accepting(), 'full at the bound')
  for (let i = 51; i <= 60; i++) writer.emit(event(i)) // the headroom
  t.throws(() => { writer.emit(event(61)) }, { code: 'SERVICE_UNAVAILABLE' }, 'past the headroom')
  t.equal(writer.stats.rejected, 1)
  await writer.flush()
  t.ok(writer.accepting(), 'room again once written')
  writer.emit(event(62, { details: { n: 62, callback: () => 1 } as unknown as Record<string, unknown> }))
  await writer.flush()
  const rows = (await app.db.query<{ request_id: string, details: unknown }>("SELECT request_id, details FROM audit_events WHERE request_id = 'r-62'")).rows
  t.same(rows, [{ request_id: 'r-62', details: { n: 62 } }], 'written with what JSON keeps of its details')
})

t.test('closing hands back nothing when the database is there; events emitted after close are refused', async (t) => {
  const app = await build(t, { env: { AUDIT_KEY: 'thread-test-key-0123456789' } })
  const writer = app.auditTrail.writer
  for (let i = 1; i <= 10; i++) writer.emit(event(i))
  t.same(await writer.close(5000), [])
  t.equal((await requestIds(app)).length, 10)
  t.notOk(writer.accepting())
  t.throws(() => { writer.emit(event(11)) }, { code: 'SERVICE_UNAVAILABLE' })
})
