import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.js'
import { waitFor } from '../deliveries/helper.js'
import type { SourceEvent } from '../../src/events/ingest.js'
import { EVENTS_ENV, parties, subscribe, subscriber } from './helper.js'

const DOSSIER_A = '000.00.01.H29-261205-0001'
const DOSSIER_B = '000.00.01.H29-261205-0002'

let n = 0
const statusOf = (dossierCode: string, status: number): SourceEvent => ({
  type: 'dossier.status-changed',
  sourceEventId: `s-${++n}`,
  occurredAt: new Date().toISOString(),
  data: { dossierCode, procedureCode: '1.000894', agencyId: '000.00.01.H29', status, changedAt: new Date().toISOString(), location: { provinceCode: '01' } }
})

const counts = async (app: FastifyInstance, sub: string): Promise<Record<string, number>> =>
  Object.fromEntries((await app.db.query<{ status: string, n: number }>('SELECT status, count(*)::int AS n FROM event_deliveries WHERE subscription_id = $1 GROUP BY status', [sub])).rows.map((r) => [r.status, r.n]))

t.test('a subscriber down for a while gets everything afterwards, in order per subject, each once', async (t) => {
  const app = await build(t, { workers: true, env: EVENTS_ENV })
  const { admin, clientId } = await parties(app)
  const hook = await subscriber(t)
  const res = await subscribe(app, admin, { clientId, eventTypes: ['dossier.status-changed'], callbackUrl: hook.url, purpose: 'Theo dõi hồ sơ', retryPolicy: { attempts: 50, baseDelayMs: 20, maxDelayMs: 200 } })
  const sub = res.json().subscription.id as string

  hook.failWith = 503
  const aStatuses = [2, 4, 5, 4, 6, 4, 9, 10]
  const bStatuses = [2, 4, 9]
  for (let i = 0; i < aStatuses.length; i++) {
    await app.events.publish([statusOf(DOSSIER_A, aStatuses[i]), ...(i < bStatuses.length ? [statusOf(DOSSIER_B, bStatuses[i])] : [])], { source: 'portal' })
  }
  await waitFor(async () => {
    const { rows } = await app.db.query<{ attempts: number }>("SELECT attempts FROM event_deliveries WHERE subscription_id = $1 AND status = 'retrying'", [sub])
    return rows.length === 2 && rows.every((r) => r.attempts >= 3)
  }, 20_000, 'the first of each dossier retried a few times')
  const { rows: waiting } = await app.db.query<{ n: number }>("SELECT count(*)::int AS n FROM event_deliveries WHERE subscription_id = $1 AND status = 'pending' AND attempts = 0", [sub])
  t.equal(waiting[0].n, aStatuses.length + bStatuses.length - 2, 'the later events of each dossier wait behind the first: not attempted while it fails')
  t.equal(hook.received.length, 0)

  hook.failWith = undefined
  await waitFor(async () => (await counts(app, sub)).delivered === aStatuses.length + bStatuses.length, 30_000, 'everything after the subscriber came back')
  const got = hook.events()
  t.same(got.filter((e) => e.data.dossierCode === DOSSIER_A).map((e) => e.data.status), aStatuses, 'dossier A in order')
  t.same(got.filter((e) => e.data.dossierCode === DOSSIER_B).map((e) => e.data.status), bStatuses, 'dossier B in order')
  t.equal(new Set(got.map((e) => e.id)).size, got.length, 'each once')
  t.equal(new Set(hook.received.map((r) => r.headers['webhook-id'])).size, got.length)
})

t.test('after the last attempt a delivery is a dead letter holding its subject back; replay by filter delivers them in order', async (t) => {
  const app = await build(t, { workers: true, env: EVENTS_ENV })
  const { admin, clientId } = await parties(app)
  const hook = await subscriber(t)
  const auth = { authorization: `Bearer ${admin}` }
  const res = await subscribe(app, admin, { clientId, eventTypes: ['dossier.status-changed'], callbackUrl: hook.url, purpose: 'Theo dõi hồ sơ', retryPolicy: { attempts: 3, baseDelayMs: 20, maxDelayMs: 50 } })
  const sub = res.json().subscription.id as string
  hook.failWith = 500
  await app.events.publish([statusOf(DOSSIER_A, 2), statusOf(DOSSIER_A, 4), statusOf(DOSSIER_B, 2)], { source: 'portal' })
  await waitFor(async () => (await counts(app, sub)).failed === 2, 20_000, 'two dead letters')
  t.same(await counts(app, sub), { failed: 2, pending: 1 }, 'A\'s second event waits behind its dead letter')

  const failed = await app.inject({ method: 'GET', url: `/v1/admin/subscriptions/${sub}/deliveries?status=failed&limit=1`, headers: auth })
  t.match(failed.json(), { items: [{ status: 'failed', attempts: 3, lastStatus: 500, lastError: 'subscriber answered 500' }], nextCursor: String })
  const rest = await app.inject({ method: 'GET', url: `/v1/admin/subscriptions/${sub}/deliveries?status=failed&limit=1&cursor=${failed.json().nextCursor as string}`, headers: auth })
  t.match(rest.json(), { items: [{ status: 'failed' }], nextCursor: null }, 'the second page ends the list')
  t.not(rest.json().items[0].eventId, failed.json().items[0].eventId)
  const { rows: audited } = await app.db.query("SELECT outcome, count(*)::int AS n FROM audit_events WHERE kind = 'event.delivery' GROUP BY outcome ORDER BY outcome")
  t.ok(audited.length > 0, 'every attempt is an audit event')

  hook.failWith = undefined
  const replay = await app.inject({ method: 'POST', url: `/v1/admin/subscriptions/${sub}/replay`, headers: auth, payload: { status: 'failed', caseId: DOSSIER_A } })
  t.same(replay.json(), { replayed: 1 })
  await waitFor(async () => (await counts(app, sub)).delivered === 2, 20_000, 'dossier A after its replay')
  t.same(hook.events().map((e) => [e.data.dossierCode, e.data.status]), [[DOSSIER_A, 2], [DOSSIER_A, 4]])
  t.same(await counts(app, sub), { delivered: 2, failed: 1 }, 'B stays a dead letter: not in the filter')
  t.equal((await app.inject({ method: 'POST', url: `/v1/admin/subscriptions/${sub}/replay`, headers: auth, payload: {} })).json().replayed, 1)
  await waitFor(async () => (await counts(app, sub)).delivered === 3, 20_000, 'B after its replay')
})
