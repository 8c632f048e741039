import t from 'tap'
import { Webhook } from 'standardwebhooks'
import { build } from '../helper.js'
import { waitFor } from '../deliveries/helper.js'
import { EVENTS_ENV, parties, subscribe, subscriber } from './helper.js'

const deathOf = (n: number, pin = `00109001234${n}`): { type: string, sourceEventId: string, occurredAt: string, data: Record<string, unknown> } => ({
  type: 'citizen.death-recorded',
  sourceEventId: `death-${n}`,
  occurredAt: '2026-12-01T08:00:00+07:00',
  data: { personalId: pin, fullName: 'Trần Văn Bình', dateOfBirth: '1940-02-03', dateOfDeath: '2026-11-30', residence: { provinceCode: '01', communeCode: '00070' } }
})

t.test('subscription rules: allowlist, event types, subscriber, bounds', async (t) => {
  const app = await build(t, { workers: false, env: { ...EVENTS_ENV, OUTBOUND_ALLOWLIST: '127.0.0.0/8,*.gov.vn', EVENTS_RETRY_MAX_ATTEMPTS: '20', EVENTS_RETRY_MAX_DELAY_MS: '3600000' } })
  const { admin, clientId } = await parties(app)
  const base = { clientId, eventTypes: ['citizen.death-recorded'], purpose: 'Trợ cấp xã hội' }

  const outside = await subscribe(app, admin, { ...base, callbackUrl: 'https://hooks.example.com/events' })
  t.equal(outside.statusCode, 400, 'a callback outside the outbound allowlist is refused')
  t.match(outside.json(), { code: 'VALIDATION_FAILED', errors: [{ path: '/body/callbackUrl', message: 'host hooks.example.com is outside the outbound allowlist' }] })
  t.match((await subscribe(app, admin, { ...base, callbackUrl: 'http://10.0.0.5/hook' })).json(), { errors: [{ path: '/body/callbackUrl', message: /outside the outbound allowlist/ }] })
  t.match((await subscribe(app, admin, { ...base, callbackUrl: 'file:///etc/passwd' })).json(), { errors: [{ path: '/body/callbackUrl', message: 'must be http or https' }] })
  t.equal((await subscribe(app, admin, { ...base, callbackUrl: 'https://lgsp.hanoi.gov.vn/events' })).statusCode, 201, 'inside it: accepted')
  t.equal(await app.db.query('SELECT count(*)::int AS n FROM event_subscriptions').then((r) => r.rows[0].n), 1, 'nothing stored for the refused ones')

  t.match((await subscribe(app, admin, { ...base, eventTypes: ['citizen.born'] })).json(), { errors: [{ path: '/body/eventTypes/0', message: 'unknown event type "citizen.born"' }] })
  t.match((await subscribe(app, admin, { ...base, clientId: 'test-admin' })).json(), { errors: [{ path: '/body/clientId' }] })
  t.match((await subscribe(app, admin, { ...base, retryPolicy: { attempts: 21, baseDelayMs: 1, maxDelayMs: 7_200_000 } })).json(), {
    errors: [{ path: '/body/retryPolicy/attempts' }, { path: '/body/retryPolicy/baseDelayMs' }, { path: '/body/retryPolicy/maxDelayMs' }]
  })
  t.equal((await subscribe(app, admin, { ...base })).statusCode, 201, 'no callback: a pull subscription')
  t.equal((await subscribe(app, admin, { ...base, purpose: '' })).statusCode, 400, 'a purpose is required')
  const system = await subscribe(app, admin, base)
  t.notOk('secret' in system.json(), 'a pull subscription has no signing secret')
  const auth = { authorization: `Bearer ${admin}` }
  const page1 = (await app.inject({ method: 'GET', url: '/v1/admin/subscriptions?limit=2', headers: auth })).json()
  t.equal(page1.items.length, 2)
  const page2 = (await app.inject({ method: 'GET', url: `/v1/admin/subscriptions?limit=2&cursor=${page1.nextCursor as string}`, headers: auth })).json()
  t.match(page2, { items: [{ clientId }], nextCursor: null })
  t.equal(new Set([...page1.items, ...page2.items].map((s: { id: string }) => s.id)).size, 3, 'the three subscriptions, each once, oldest first')
  t.equal((await app.inject({ method: 'GET', url: '/v1/admin/subscriptions?limit=0', headers: auth })).statusCode, 400)
  t.equal((await app.inject({ method: 'GET', url: '/v1/admin/subscriptions', headers: { authorization: `Bearer ${(await parties(app)).system}` } })).statusCode, 403, 'admins only')
})

t.test('what GET returns can be PUT back; secrets rotate with an overlap during which both verify', async (t) => {
  const app = await build(t, { workers: true, env: EVENTS_ENV })
  const { admin, clientId } = await parties(app)
  const hook = await subscriber(t)
  const auth = { authorization: `Bearer ${admin}` }
  const created = await subscribe(app, admin, { clientId, eventTypes: ['citizen.death-recorded'], filter: { provinces: ['01'] }, callbackUrl: hook.url, purpose: 'Trợ cấp', retryPolicy: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 } })
  const { subscription, secret: first } = created.json()
  const got = await app.inject({ method: 'GET', url: `/v1/admin/subscriptions/${subscription.id as string}`, headers: auth })
  const put = await app.inject({ method: 'PUT', url: `/v1/admin/subscriptions/${subscription.id as string}`, headers: auth, payload: got.json() })
  t.equal(put.statusCode, 200, put.body)
  t.same({ ...put.json(), updatedAt: null }, { ...got.json(), updatedAt: null }, 'unchanged by a round trip')
  t.equal((await app.inject({ method: 'PUT', url: `/v1/admin/subscriptions/${subscription.id as string}`, headers: auth, payload: { ...(got.json() as object), id: 'sub_0000000000000000' } })).statusCode, 409)

  const rotated = await app.inject({ method: 'POST', url: `/v1/admin/subscriptions/${subscription.id as string}/secret`, headers: auth, payload: { overlapSeconds: 3600 } })
  t.equal(rotated.statusCode, 200)
  const second = rotated.json().secret as string
  t.not(second, first)
  t.equal(rotated.json().secrets.length, 2)
  t.ok(rotated.json().secrets[1].expiresAt !== null, 'the old secret expires after the overlap')

  await app.events.publish([deathOf(1)], { source: 'test' })
  await waitFor(() => hook.received.length >= 1, 20_000, 'the webhook')
  const [msg] = hook.received
  t.equal(msg.headers['webhook-signature'].split(' ').length, 2, 'one signature per secret in force')
  t.ok(new Webhook(first).verify(msg.body, msg.headers), 'the old secret still verifies during the overlap')
  t.ok(new Webhook(second).verify(msg.body, msg.headers), 'the new secret verifies')

  // the overlap ends (no overlap at the next rotation): only the newest secret signs
  const third = (await app.inject({ method: 'POST', url: `/v1/admin/subscriptions/${subscription.id as string}/secret`, headers: auth, payload: { overlapSeconds: 0 } })).json().secret as string
  app.events.targets.forget(subscription.id)
  await app.events.publish([deathOf(2, '001090012399')], { source: 'test' })
  await waitFor(() => hook.received.length >= 2, 20_000, 'the second webhook')
  const last = hook.received[1]
  t.ok(new Webhook(third).verify(last.body, last.headers))
  t.throws(() => new Webhook(first).verify(last.body, last.headers), 'an expired secret no longer verifies')

  const del = await app.inject({ method: 'DELETE', url: `/v1/admin/subscriptions/${subscription.id as string}`, headers: auth })
  t.equal(del.statusCode, 204)
  t.equal((await app.inject({ method: 'GET', url: `/v1/admin/subscriptions/${subscription.id as string}`, headers: auth })).statusCode, 404)
  const changes = async (): Promise<Array<{ details: { action: string } }>> =>
    (await app.db.query("SELECT details FROM audit_events WHERE kind = 'admin.change' AND details->>'entity' = 'subscription' ORDER BY seq")).rows
  await waitFor(async () => (await changes()).length === 5, 10_000, 'the admin changes in the trail')
  const rows = await changes()
  t.same(rows.map((r) => r.details.action), ['create', 'update', 'rotate-secret', 'rotate-secret', 'delete'])
  const trail = JSON.stringify(rows)
  for (const s of [first, second, third]) t.notOk(trail.includes(s.slice(6)), 'no secret in the audit trail')
})
