import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, tokenFor } from '../helper.js'
import { get, tamper } from './helper.js'
import { prepare } from '../../src/audit/prepare.js'
import { canonicalTail } from '../../src/audit/canonical.js'
import { verifyChain } from '../../src/audit/verify.js'
import type { AuditEventInput } from '../../src/audit/types.js'

const event = (n: number, over: Partial<AuditEventInput> = {}): AuditEventInput => ({
  kind: 'lookup', outcome: 'ok', service: 'citizen.lookup', clientId: 'c-1', requestId: `r-${n}`, subjects: ['079203001234'], ...over
})

async function withEvents (t: Tap.Test, n: number): Promise<FastifyInstance> {
  const app = await build(t, { env: { AUDIT_KEY: 'trail-test-key-0123456789' } })
  for (let i = 1; i <= n; i++) app.audit.emit(event(i))
  await app.auditTrail.writer.flush()
  return app
}

const idAt = async (app: FastifyInstance, seq: number): Promise<string> =>
  (await app.db.query<{ id: string }>('SELECT id FROM audit_events WHERE seq = $1', [seq])).rows[0].id

t.test('the database keeps the trail append-only, for the gateway role and for superusers', async (t) => {
  const app = await withEvents(t, 3)
  for (const sql of ['UPDATE audit_events SET outcome = \'error\'', 'DELETE FROM audit_events', 'TRUNCATE audit_events']) {
    await t.rejects(app.db.query(`BEGIN; SET LOCAL ROLE lienthong_audit_writer; ${sql}; COMMIT`), { code: '42501' }, `writer: ${sql}`)
    await app.db.query('ROLLBACK').catch(() => {})
    await t.rejects(app.db.query(sql), /append-only/, `superuser: ${sql}`)
  }
  const partition = (await app.db.query<{ p: string }>('SELECT tableoid::regclass::text AS p FROM audit_events LIMIT 1')).rows[0].p
  await t.rejects(app.db.query(`TRUNCATE ${partition}`), /append-only/, 'a partition cannot be truncated either')
  await t.rejects(app.db.query('BEGIN; SET LOCAL ROLE lienthong_audit_reader; INSERT INTO audit_events (seq, id, at, kind, outcome, prev_hash, hash) VALUES (99, gen_random_uuid(), now(), \'lookup\', \'ok\', \'x\', \'y\'); COMMIT'), { code: '42501' })
  await app.db.query('ROLLBACK').catch(() => {})
  await t.rejects(app.db.query('UPDATE audit_chain_head SET last_seq = 1'), /only moves forward/)
  const parts = await app.db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'audit_events'::regclass")
  t.ok(parts.rows[0].n >= 3, 'this month and the next two exist')
  t.equal((await app.db.query('SELECT count(*)::int AS n FROM audit_events')).rows[0].n, 3)
  t.match(await verifyChain(app.db), { ok: true, checked: 3 })
})

t.test('a row changed directly in the database is reported by verify with its id', async (t) => {
  const app = await withEvents(t, 6)
  const auditor = await tokenFor(app, ['auditor'])
  t.match((await get(app, auditor, '/v1/audit/verify')).json(), { ok: true, checked: 6 })
  const victim = await idAt(app, 4)
  await tamper(app, 'UPDATE audit_events SET outcome = \'not_found\' WHERE id = $1', [victim])
  t.match((await get(app, auditor, '/v1/audit/verify')).json(), { ok: false, firstBadEventId: victim, reason: 'content' })
  t.match(await verifyChain(app.db, { from: new Date(Date.now() - 60_000) }), { ok: false, firstBadEventId: victim })
})

t.test('a row re-hashed by the tamperer breaks the link of the next one; a deleted row is found too', async (t) => {
  const app = await withEvents(t, 5)
  const row = (await app.db.query('SELECT * FROM audit_events WHERE seq = 2')).rows[0]
  // Recompute the row's own hash after changing it: its content checks out, its successor's link does not.
  const { eventHash } = await import('../../src/audit/canonical.js')
  const { fromRow } = await import('../../src/audit/queries.js')
  const forged = { ...fromRow(row), clientId: 'someone-else' }
  await tamper(app, 'UPDATE audit_events SET client_id = $1, hash = $2 WHERE seq = 2', ['someone-else', eventHash(forged)])
  t.match(await verifyChain(app.db), { ok: false, firstBadEventId: await idAt(app, 3), reason: 'link' })

  const other = await withEvents(t, 4)
  const third = await idAt(other, 3)
  await tamper(other, 'DELETE FROM audit_events WHERE seq = 2')
  t.match(await verifyChain(other.db), { ok: false, firstBadEventId: third, reason: 'missing-predecessor' })
  await tamper(other, 'DELETE FROM audit_events WHERE seq = 4')
  t.match(await verifyChain(other.db, { from: new Date(0) }), { ok: false, firstBadEventId: third })
})

t.test('an event deleted at the end of the chain is found', async (t) => {
  const app = await withEvents(t, 3)
  await tamper(app, 'DELETE FROM audit_events WHERE seq = 3')
  t.match(await verifyChain(app.db), { ok: false, reason: 'missing-tail' })
})

t.test('retention drops whole old months; verification still holds over what remains', async (t) => {
  const app = await build(t, { env: { AUDIT_KEY: 'trail-test-key-0123456789', AUDIT_RETENTION_MONTHS: '24' } })
  const now = Date.now()
  const ago = (months: number): Date => new Date(now - months * 31 * 24 * 3600_000)
  app.audit.emit(event(1, { at: ago(40) }))
  app.audit.emit(event(2, { at: ago(39) }))
  app.audit.emit(event(3, { at: ago(30) }))
  app.audit.emit(event(4, { at: ago(10) }))
  app.audit.emit(event(5))
  app.audit.emit(event(6, { at: ago(40) })) // late event of an old month: later in the chain, earlier in time
  app.audit.emit(event(7))
  await app.auditTrail.writer.flush()
  t.match(await verifyChain(app.db), { ok: true, checked: 7 })
  const dropped = await app.auditTrail.store.dropExpired(24)
  t.equal(dropped.length, 3, `three old months dropped: ${dropped.join(', ')}`)
  const left = (await app.db.query<{ request_id: string }>('SELECT request_id FROM audit_events ORDER BY seq')).rows.map((r) => r.request_id)
  t.same(left, ['r-4', 'r-5', 'r-7'])
  t.match(await verifyChain(app.db), { ok: true, checked: 3 }, 'the chain is anchored across the dropped months')
  t.same((await app.auditTrail.store.dropExpired(1)), [], 'the database floor (12 months) keeps the rest')
  t.equal((await app.db.query('SELECT count(*)::int AS n FROM audit_events')).rows[0].n, 3)
})

t.test('a batch retried after an unknown outcome is not written twice', async (t) => {
  const app = await build(t, { env: { AUDIT_KEY: 'trail-test-key-0123456789' } })
  const batch = [1, 2, 3].map((i) => prepare(event(i), app.auditTrail.keys))
  t.equal(await app.auditTrail.store.append(batch, false), 3)
  t.equal(await app.auditTrail.store.append(batch, true), 0, 'the dedupe finds them all')
  t.equal(await app.auditTrail.store.append([...batch, prepare(event(4), app.auditTrail.keys)], true), 1)
  t.match(await verifyChain(app.db), { ok: true, checked: 4 })
})

t.test('a retried batch holding one event twice writes it once', async (t) => {
  const app = await build(t, { env: { AUDIT_KEY: 'trail-test-key-0123456789' } })
  const one = prepare(event(1), app.auditTrail.keys)
  t.equal(await app.auditTrail.store.append([one, one, prepare(event(2), app.auditTrail.keys)], true), 2)
  t.match(await verifyChain(app.db), { ok: true, checked: 2 })
})

t.test('text with tabs, newlines, backslashes and quotes is stored as it was hashed (COPY text format)', async (t) => {
  const app = await build(t, { env: { AUDIT_KEY: 'trail-test-key-0123456789' } })
  const awkward = 'a\tb\\N \\. "q" {x,y}\r'
  const e = prepare(event(1, { requestId: `r\t1\n${awkward}`, caseId: '\\N', endUser: '\\.', details: { note: awkward, 'k\tey': ['\\', '\n'] } }), app.auditTrail.keys)
  t.equal(await app.auditTrail.store.append([e], false), 1)
  const row = (await app.db.query('SELECT request_id, case_id, end_user, details FROM audit_events')).rows[0]
  t.same(row, { request_id: e.requestId, case_id: '\\N', end_user: '\\.', details: e.details }, 'every column as given, none read as NULL or as the end of data')
  t.match(await verifyChain(app.db), { ok: true, checked: 1 })
})

t.test('an older gateway appending through audit_append() and this one through COPY make one chain', async (t) => {
  const app = await build(t, { env: { AUDIT_KEY: 'trail-test-key-0123456789' } })
  const keys = app.auditTrail.keys
  const older = async (events: ReturnType<typeof prepare>[]): Promise<void> => {
    const c = await app.db.connect()
    try {
      await c.query('BEGIN; SET LOCAL ROLE lienthong_audit_writer')
      await c.query('SELECT audit_append($1, false)', [events.map(canonicalTail).join('\n')])
      await c.query('COMMIT')
    } finally { c.release() }
  }
  await older([1, 2].map((i) => prepare(event(i, { details: { n: i, at: 'tab\there' } }), keys)))
  t.equal(await app.auditTrail.store.append([3, 4].map((i) => prepare(event(i, { details: { n: i } }), keys)), false), 2)
  await older([prepare(event(5, { durationMs: 1.25 }), keys)])
  t.equal(await app.auditTrail.store.append([prepare(event(6, { durationMs: 0.1 + 0.2 }), keys)], false), 1)
  const seqs = (await app.db.query<{ request_id: string }>('SELECT request_id FROM audit_events ORDER BY seq')).rows.map((r) => r.request_id)
  t.same(seqs, ['r-1', 'r-2', 'r-3', 'r-4', 'r-5', 'r-6'])
  t.match(await verifyChain(app.db), { ok: true, checked: 6 }, 'the same hashes either way: a rolling upgrade keeps one chain')
})

t.test('an event the database refuses does not hold back the others; it is stored without its free text', async (t) => {
  const app = await build(t, { env: { AUDIT_KEY: 'trail-test-key-0123456789' } })
  const keys = app.auditTrail.keys
  const poisoned = { ...prepare(event(2), keys), httpStatus: 1e12, purpose: 'kept?' }
  app.auditTrail.writer.enqueue([prepare(event(1), keys), poisoned, prepare(event(3), keys)])
  await app.auditTrail.writer.flush()
  const rows = (await app.db.query('SELECT id, request_id, http_status, purpose, details FROM audit_events ORDER BY seq')).rows
  t.equal(rows.length, 3)
  t.match(rows[1], { id: poisoned.id, request_id: null, http_status: null, purpose: null, details: { unstorable: true } })
  t.match(await verifyChain(app.db), { ok: true, checked: 3 })
})
