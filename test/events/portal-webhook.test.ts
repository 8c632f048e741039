import t from 'tap'
import { Webhook } from 'standardwebhooks'
import { build } from '../helper.js'
import { startPortal, waitFor } from '../deliveries/helper.js'
import { EVENTS_ENV, parties, portalFeedInstance, submission, subscribe, subscriber } from './helper.js'

t.test('a dossier submitted online on the portal reaches the subscribed province\'s webhook once, signed', async (t) => {
  const portal = await startPortal(t)
  const app = await build(t, { connectors: [portalFeedInstance(portal.url)], workers: true, env: EVENTS_ENV })
  const { admin, clientId } = await parties(app)
  const tuyenQuang = await subscriber(t)
  const other = await subscriber(t)

  const res = await subscribe(app, admin, {
    clientId,
    eventTypes: ['dossier.submitted-online'],
    filter: { provinces: ['08'] },
    callbackUrl: tuyenQuang.url,
    purpose: 'Tiếp nhận hồ sơ trực tuyến (Decree 118/2025)'
  })
  t.equal(res.statusCode, 201, res.body)
  const { subscription, secret } = res.json()
  t.match(secret, /^whsec_/)
  t.equal(subscription.delivery, 'webhook')
  t.notOk(JSON.stringify(subscription).includes(secret.slice(6)), 'the view never shows the secret')
  t.equal((await subscribe(app, admin, { clientId, eventTypes: ['dossier.submitted-online'], filter: { provinces: ['79'] }, callbackUrl: other.url, purpose: 'HCMC one-stop' })).statusCode, 201)

  const change = portal.portal.feed.submitOnline(submission(1))
  await waitFor(() => tuyenQuang.received.length >= 1, 20_000, 'the webhook')
  // time for a second (wrong) delivery to show up: a sweep and a few pulls
  await app.events.sweep()
  await app.events.pullers?.drain()
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.equal(tuyenQuang.received.length, 1, 'received exactly once')
  t.equal(other.received.length, 0, 'the other province received nothing')

  const [got] = tuyenQuang.received
  // verified by the standardwebhooks library, not by our code
  const payload = new Webhook(secret).verify(got.body, got.headers) as Record<string, unknown>
  t.equal(got.headers['webhook-id'], payload.id, 'webhook-id is the event id')
  t.match(payload, {
    type: 'dossier.submitted-online',
    source: 'portal-feed',
    units: [{ role: 'addressed', status: 'resolved', provinceCode: '08', communeCode: '02269', original: { provinceCode: '08', communeCode: '02269' } }],
    data: {
      dossierCode: change.HoSo.MaHoSo,
      procedureCode: '1.001193.000.00.00.H61',
      agencyId: '000.00.08.H61',
      status: 1,
      applicant: { kind: 'person', name: 'Nguyễn Văn An', personalId: '008090012345' }
    }
  })
  t.throws(() => new Webhook('whsec_' + Buffer.alloc(32, 1).toString('base64')).verify(got.body, got.headers), 'another secret does not verify')

  // status of the delivery, searchable per subscription
  const list = await app.inject({ method: 'GET', url: `/v1/admin/subscriptions/${subscription.id as string}/deliveries?status=delivered`, headers: { authorization: `Bearer ${admin}` } })
  t.equal(list.statusCode, 200)
  t.match(list.json(), { items: [{ eventId: payload.id, eventType: 'dossier.submitted-online', status: 'delivered', attempts: 1, lastStatus: 204 }], nextCursor: null })

  // the audit trail: one delivery event with the applicant's subject hash, no payload, the PIN nowhere in clear
  await waitFor(async () => (await app.db.query("SELECT 1 FROM audit_events WHERE kind = 'event.delivery'")).rows.length === 1, 10_000, 'the audit event')
  const { rows } = await app.db.query("SELECT kind, outcome, service, connector, purpose, case_id, subjects, details FROM audit_events WHERE kind LIKE 'event.%' AND service LIKE 'dossier.%' ORDER BY seq")
  t.match(rows, [
    { kind: 'event.received', service: 'dossier.submitted-online', connector: 'portal-feed', subjects: [app.auditTrail.keys.subject('008090012345')] },
    { kind: 'event.delivery', outcome: 'ok', connector: subscription.id, purpose: 'Tiếp nhận hồ sơ trực tuyến (Decree 118/2025)', case_id: change.HoSo.MaHoSo, subjects: [app.auditTrail.keys.subject('008090012345')], details: { eventId: payload.id } }
  ])
  const all = await app.db.query('SELECT to_jsonb(a)::text AS row FROM audit_events a')
  t.notOk(all.rows.some((r: { row: string }) => r.row.includes('008090012345')), 'no PIN in clear in the trail')
  t.notOk(all.rows.some((r: { row: string }) => r.row.includes('Nguyễn Văn An')), 'no payload in the trail')

  // a status change follows, in order, on the same subscription only if subscribed: it is not
  portal.portal.feed.changeStatus(change.HoSo.MaHoSo as string, 2)
  await app.events.pullers?.drain()
  t.equal(tuyenQuang.received.length, 1, 'not subscribed to status changes')
})

t.test('event types are published: the catalogue, each schema, the OpenAPI document', async (t) => {
  const app = await build(t, { workers: false, env: EVENTS_ENV })
  const { system } = await parties(app)
  const list = await app.inject({ method: 'GET', url: '/v1/event-types', headers: { authorization: `Bearer ${system}` } })
  t.equal(list.statusCode, 200)
  t.same(list.json().items.map((e: { id: string }) => e.id), ['dossier.submitted-online', 'dossier.status-changed', 'citizen.death-recorded', 'citizen.residence-changed', 'admin-unit.changed'])
  t.equal(list.json().nextCursor, null)
  const first = (await app.inject({ method: 'GET', url: '/v1/event-types?limit=2', headers: { authorization: `Bearer ${system}` } })).json()
  t.equal(first.items.length, 2)
  const rest = (await app.inject({ method: 'GET', url: `/v1/event-types?limit=100&cursor=${first.nextCursor as string}`, headers: { authorization: `Bearer ${system}` } })).json()
  t.same([...first.items, ...rest.items].map((e: { id: string }) => e.id), list.json().items.map((e: { id: string }) => e.id), 'paged: the same list')
  const one = await app.inject({ method: 'GET', url: '/v1/event-types/citizen.death-recorded', headers: { authorization: `Bearer ${system}` } })
  t.match(one.json(), { id: 'citizen.death-recorded', dataSchema: { $id: 'event.citizen.death-recorded', required: ['personalId', 'fullName', 'dateOfBirth', 'dateOfDeath', 'residence'] }, envelopeSchema: { $id: 'event.envelope' } })
  t.equal((await app.inject({ method: 'GET', url: '/v1/event-types/nope.nope', headers: { authorization: `Bearer ${system}` } })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/v1/event-types' })).statusCode, 401)
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json()
  for (const id of ['event.envelope', 'event.dossier.submitted-online', 'event.citizen.death-recorded', 'event.admin-unit.changed', 'event.push.message']) {
    t.ok(doc.components.schemas[id], `OpenAPI has ${id}`)
  }
  for (const path of ['/v1/events', '/v1/event-types', '/v1/events/push/{sourceId}', '/v1/admin/subscriptions', '/v1/admin/subscriptions/{id}/deliveries']) {
    t.ok(doc.paths[path], `OpenAPI has ${path}`)
  }
})
