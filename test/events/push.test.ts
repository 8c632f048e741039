import t from 'tap'
import { Webhook } from 'standardwebhooks'
import { build } from '../helper.js'
import { waitFor } from '../deliveries/helper.js'
import { EVENTS_ENV, parties, subscribe, subscriber } from './helper.js'

const PIN = '001090012345'

const message = (n: number, over: Record<string, unknown> = {}): string => JSON.stringify({
  events: [{
    type: 'citizen.death-recorded',
    sourceEventId: `khai-tu-${n}`,
    occurredAt: '2026-12-01T08:00:00+07:00',
    data: { personalId: PIN, fullName: 'Lê Thị Cúc', dateOfBirth: '1938-05-06', dateOfDeath: '2026-11-30', residence: { provinceCode: '01', communeCode: '00070' }, ...over }
  }]
})

/** Headers of a message signed with the standardwebhooks library (as a source would sign it). */
function signed (secret: string, id: string, body: string, at = new Date()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body)
  }
}

t.test('the push endpoint: a signed message is recorded and delivered; forged, tampered, stale or replayed ones are refused', async (t) => {
  const app = await build(t, { workers: true, env: EVENTS_ENV })
  const { admin, clientId } = await parties(app)
  const auth = { authorization: `Bearer ${admin}` }
  const created = await app.inject({ method: 'POST', url: '/v1/admin/push-sources', headers: auth, payload: { id: 'hotich-btp', description: 'Civil status software (Ministry of Justice)', eventTypes: ['citizen.death-recorded'] } })
  t.equal(created.statusCode, 201, created.body)
  const secret = created.json().secret as string
  const hook = await subscriber(t)
  t.equal((await subscribe(app, admin, { clientId, eventTypes: ['citizen.death-recorded'], filter: { provinces: ['01'] }, callbackUrl: hook.url, purpose: 'Trợ cấp mai táng' })).statusCode, 201)
  const push = async (headers: Record<string, string>, payload: string, source = 'hotich-btp') =>
    await app.inject({ method: 'POST', url: `/v1/events/push/${source}`, headers, payload })

  const body = message(1)
  const ok = await push(signed(secret, 'msg_0001', body), body)
  t.equal(ok.statusCode, 202, ok.body)
  t.same(ok.json(), { received: 1, recorded: 1, duplicates: 0 })
  await waitFor(() => hook.received.length >= 1, 20_000, 'the pushed event delivered')
  t.match(hook.events()[0], { type: 'citizen.death-recorded', source: 'hotich-btp', data: { personalId: PIN } })

  const replay = await push(signed(secret, 'msg_0001', body), body)
  t.equal(replay.statusCode, 409, 'the same message again (a replay, even re-timestamped and re-signed) is refused')
  t.equal(replay.json().code, 'CONFLICT')

  const forged = await push(signed('whsec_' + Buffer.alloc(32, 7).toString('base64'), 'msg_0002', message(2)), message(2))
  t.equal(forged.statusCode, 401, 'signed with another secret: refused')
  t.equal(forged.json().code, 'UNAUTHORIZED')

  const tampered = message(3, { fullName: 'Someone Else' })
  t.equal((await push(signed(secret, 'msg_0003', message(3)), tampered)).statusCode, 401, 'body changed after signing: refused')

  const stale = new Date(Date.now() - 10 * 60 * 1000)
  const old = await push(signed(secret, 'msg_0004', message(4), stale), message(4))
  t.equal(old.statusCode, 401, 'a timestamp outside the window (a replay of an old capture): refused')
  t.match(old.json().detail, /outside the accepted window/)

  const unsigned = await push({ 'content-type': 'application/json' }, message(5))
  t.equal(unsigned.statusCode, 401, 'no signature: refused')
  t.equal((await push(signed(secret, 'msg_0006', message(6)), message(6), 'nobody')).statusCode, 401, 'an unknown source: refused')

  const wrongType = JSON.stringify({ events: [{ type: 'dossier.status-changed', sourceEventId: 'x', occurredAt: '2026-12-01T08:00:00+07:00', data: {} }] })
  t.equal((await push(signed(secret, 'msg_0007', wrongType), wrongType)).statusCode, 403, 'a type the source may not push')

  const invalid = message(8, { personalId: '12345' })
  const bad = await push(signed(secret, 'msg_0008', invalid), invalid)
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { code: 'VALIDATION_FAILED', errors: [{ path: /^\/body\/events\/0\/data\/personalId/ }] })

  const fixed = message(8)
  t.equal((await push(signed(secret, 'msg_0008', fixed), fixed)).statusCode, 202, 'the refused message id may be sent again, fixed')

  await waitFor(() => hook.received.length >= 2, 20_000, 'the second pushed event delivered')
  t.equal(await app.db.query("SELECT count(*)::int AS n FROM events WHERE source = 'hotich-btp'").then((r) => r.rows[0].n), 2, 'only the two valid messages were recorded')
  t.equal(new Set(hook.received.map((r) => r.headers['webhook-id'])).size, 2)

  // the source rotates its secret: during the overlap both are accepted
  const rotated = await app.inject({ method: 'POST', url: '/v1/admin/push-sources/hotich-btp/secret', headers: auth, payload: { overlapSeconds: 600 } })
  const next = rotated.json().secret as string
  t.equal((await push(signed(secret, 'msg_0009', message(9)), message(9))).statusCode, 202, 'the old secret during the overlap')
  t.equal((await push(signed(next, 'msg_0010', message(10)), message(10))).statusCode, 202, 'the new secret')
})
