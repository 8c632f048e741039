import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.js'
import type { SourceEvent } from '../../src/events/ingest.js'
import { EVENTS_ENV, parties, subscribe } from './helper.js'

const statusChange = (n: number, province: string): SourceEvent => ({
  type: 'dossier.status-changed',
  sourceEventId: `change-${n}`,
  occurredAt: new Date().toISOString(),
  data: {
    dossierCode: `000.00.01.H29-261205-${String(n % 10000).padStart(4, '0')}`,
    procedureCode: '1.000894',
    agencyId: '000.00.01.H29',
    status: 4,
    changedAt: new Date().toISOString(),
    location: { provinceCode: province }
  }
})

async function page (app: FastifyInstance, token: string, query: string) {
  const res = await app.inject({ method: 'GET', url: `/v1/events${query}`, headers: { authorization: `Bearer ${token}` } })
  return { status: res.statusCode, body: res.json() as { items: Array<{ subscriptionIds: string[], event: { id: string, data: { dossierCode: string } } }>, nextCursor: string } }
}

t.test('the pull API pages through everything exactly once, while events keep arriving from concurrent publishers', async (t) => {
  const app = await build(t, { workers: false, env: EVENTS_ENV })
  const { admin, clientId, system } = await parties(app)
  const other = await parties(app)
  const res = await subscribe(app, admin, { clientId, eventTypes: ['dossier.status-changed'], filter: { provinces: ['79'] }, purpose: 'Theo dõi hồ sơ' })
  t.equal(res.statusCode, 201)
  const subscriptionId = res.json().subscription.id as string

  // 6 publishers × 25 batches × 4 events, half of them for province 79 (ours), half for 01
  const publishers = Array.from({ length: 6 }, async (_, p) => {
    for (let b = 0; b < 25; b++) {
      const events = Array.from({ length: 4 }, (_, i) => { const n = (p * 25 + b) * 4 + i; return statusChange(n, n % 2 === 0 ? '79' : '01') })
      await app.events.publish(events, { source: `publisher-${p}` })
    }
  })
  const seen: string[] = []
  let cursor: string | undefined
  let done = false
  const all = Promise.all(publishers).then(() => { done = true })
  for (let rounds = 0; rounds < 2000; rounds++) {
    const { status, body } = await page(app, system, `?limit=7${cursor !== undefined ? `&cursor=${cursor}` : ''}`)
    t.equal(status, 200)
    for (const item of body.items) {
      seen.push(item.event.id)
      if (item.subscriptionIds[0] !== subscriptionId) t.fail('an item of another subscription')
    }
    cursor = body.nextCursor
    if (done && body.items.length === 0) break
  }
  await all
  const expected = await app.db.query<{ id: string }>('SELECT id FROM events WHERE province_codes = \'{79}\' ORDER BY seq')
  t.equal(expected.rows.length, 300)
  t.equal(new Set(seen).size, seen.length, 'no event twice')
  t.same(seen, expected.rows.map((r) => r.id), 'every event of the subscription, in order')

  // asking from the last cursor acknowledged everything before it
  await page(app, system, `?cursor=${cursor as string}`)
  const { rows } = await app.db.query<{ status: string, n: number }>('SELECT status, count(*)::int AS n FROM event_deliveries GROUP BY status')
  t.same(rows, [{ status: 'delivered', n: 300 }])

  const theirs = await page(app, other.system, '')
  t.same(theirs.body.items, [], 'another client sees nothing of it')
  const forged = await app.inject({ method: 'GET', url: '/v1/events?cursor=bm90LWEtY3Vyc29y', headers: { authorization: `Bearer ${system}` } })
  t.equal(forged.statusCode, 400, 'a cursor this API did not give')
  t.match(forged.json(), { code: 'VALIDATION_FAILED', errors: [{ path: '/query/cursor' }] })
  t.match((await app.inject({ method: 'GET', url: '/v1/events?after=1', headers: { authorization: `Bearer ${system}` } })).json(), { errors: [{ path: '/query/after' }] }, 'an unknown parameter')
  t.equal((await page(app, admin, '')).status, 403, 'systems pull, admins do not')
})

t.test('long-poll: an empty page waits for the next event (bounded), and the client gone ends the wait', async (t) => {
  const app = await build(t, { workers: false, env: { ...EVENTS_ENV, EVENTS_LONG_POLL_MAX_S: '20' } })
  const { admin, clientId, system } = await parties(app)
  t.equal((await subscribe(app, admin, { clientId, eventTypes: ['dossier.status-changed'], purpose: 'Theo dõi hồ sơ' })).statusCode, 201)
  const start = await page(app, system, '')
  t.same(start.body.items, [])

  const waiting = page(app, system, `?cursor=${start.body.nextCursor}&wait=20`)
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(app.events.waiters.size, 1, 'the request is waiting')
  await app.events.publish([statusChange(1, '01')], { source: 'x' })
  const woken = await waiting
  t.equal(woken.body.items.length, 1, 'woken by the event, with it')
  t.equal(app.events.waiters.size, 0)

  const bounded = await page(app, system, `?cursor=${woken.body.nextCursor}&wait=1`)
  t.same(bounded.body.items, [], 'nothing came: an empty page after the wait')
  t.equal(bounded.body.nextCursor, woken.body.nextCursor, 'the same cursor to continue from')
})

t.test('an event that commits after a later one is not skipped: positions are commit order', async (t) => {
  // the slow commit sleeps 1 s in a statement: longer than the default statement deadline (DEPENDENCY_TIMEOUT_MS)
  const app = await build(t, { workers: false, env: { ...EVENTS_ENV, DEPENDENCY_TIMEOUT_MS: '5000' } })
  const { admin, clientId, system } = await parties(app)
  t.equal((await subscribe(app, admin, { clientId, eventTypes: ['dossier.status-changed'], purpose: 'Theo dõi hồ sơ' })).statusCode, 201)
  // events of the source "slow" take a second to commit once they have their position
  await app.db.query(`CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.source = 'slow' THEN PERFORM pg_sleep(1); END IF; RETURN NEW; END $$`)
  await app.db.query('CREATE TRIGGER slow_commit AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION slow_commit()')
  const start = (await page(app, system, '')).body.nextCursor

  const slow = app.events.publish([statusChange(1, '01')], { source: 'slow' })
  await new Promise((resolve) => setTimeout(resolve, 200))
  const fast = app.events.publish([statusChange(2, '01')], { source: 'fast' })
  await new Promise((resolve) => setTimeout(resolve, 300))
  const meanwhile = await page(app, system, `?cursor=${start}`)
  await Promise.all([slow, fast])
  const after = await page(app, system, `?cursor=${meanwhile.body.nextCursor}`)
  const seen = [...meanwhile.body.items, ...after.body.items].map((i) => i.event.data.dossierCode)
  t.same(seen.sort(), [statusChange(1, '01').data.dossierCode, statusChange(2, '01').data.dossierCode].sort(), 'both events, each once')
})
