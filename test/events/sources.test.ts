import t from 'tap'
import { buildApp } from '../../src/app.js'
import { build, testConfig } from '../helper.js'
import { startPortal, waitFor } from '../deliveries/helper.js'
import { EVENTS_ENV, portalFeedInstance, submission } from './helper.js'

// several gateways start per test; on a loaded machine that takes a while
t.setTimeout(300_000)

t.test('a pulled source is recorded exactly once across instances pulling at once and restarts', async (t) => {
  const portal = await startPortal(t)
  for (let i = 1; i <= 300; i++) portal.portal.feed.submitOnline(submission(i))
  const config = await testConfig(t, { ...EVENTS_ENV, EVENTS_PULL_LIMIT: '7', EVENTS_PULL_INTERVAL_MS: '20', EVENTS_SOURCE_LEASE_MS: '1000' })
  const connectors = [portalFeedInstance(portal.url)]
  // two instances on one database, both pulling; one restarted twice while they do
  const a = await build(t, { config, connectors, workers: true })
  let b = await buildApp(config, { connectors, workers: true })
  await b.ready()
  const count = async (): Promise<number> => (await a.db.query("SELECT count(*)::int AS n FROM events WHERE source = 'portal-feed'")).rows[0].n
  for (let restart = 0; restart < 2; restart++) {
    await waitFor(async () => await count() > 100 * (restart + 1), 90_000, 'some pages pulled')
    await b.close()
    b = await buildApp(config, { connectors, workers: true })
    await b.ready()
  }
  t.teardown(async () => { await b.close() })
  await waitFor(async () => await count() === 300, 90_000, 'the whole feed')
  // a pull that timed out on a loaded machine is noted on the cursor until the next pull (every 20 ms) succeeds
  const lastError = async (): Promise<string | null> =>
    (await a.db.query("SELECT last_error FROM event_source_cursors WHERE source = 'portal-feed'")).rows[0]?.last_error ?? null
  await waitFor(async () => await lastError() === null, 30_000, 'a pull at the end of the feed that succeeded')
  await a.events.pullers?.drain()
  await b.events.pullers?.drain()
  const { rows } = await a.db.query<{ id: string, n: number }>("SELECT source_event_id AS id, count(*)::int AS n FROM events WHERE source = 'portal-feed' GROUP BY source_event_id HAVING count(*) > 1")
  t.same(rows, [], 'no change recorded twice')
  t.equal(await count(), 300, 'every change recorded')
  const cursor = await a.db.query("SELECT cursor, events_total::int AS total FROM event_source_cursors WHERE source = 'portal-feed'")
  t.same(cursor.rows, [{ cursor: '300', total: 300 }], 'the cursor at the end of the feed; the total counted once')
})

t.test('one puller at a time: the lease; a failing feed keeps its cursor and resumes', async (t) => {
  const portal = await startPortal(t)
  const config = await testConfig(t, { ...EVENTS_ENV, EVENTS_PULL_INTERVAL_MS: '60000', EVENTS_SOURCE_LEASE_MS: '60000' })
  const connectors = [portalFeedInstance(portal.url)]
  const a = await build(t, { config, connectors, workers: true })
  const b = await build(t, { config, connectors, workers: true })
  for (let i = 1; i <= 5; i++) portal.portal.feed.submitOnline(submission(i))
  const holder = (await a.db.query("SELECT leased_by FROM event_source_cursors WHERE source = 'portal-feed'")).rows[0].leased_by
  const [mine, other] = holder === a.events.pullers?.holder ? [a, b] : [b, a]
  t.same(await other.events.pullers?.drain(), { 'portal-feed': 0, 'admin-units': 0 }, 'the other instance does not pull a source it does not hold')
  t.same(await mine.events.pullers?.drain(), { 'portal-feed': 5, 'admin-units': 0 })

  portal.portal.forceErrors(10, 99)
  portal.portal.feed.submitOnline(submission(6))
  await mine.events.pullers?.drain()
  const failing = (await a.db.query("SELECT cursor, last_error FROM event_source_cursors WHERE source = 'portal-feed'")).rows[0]
  t.equal(failing.cursor, '5', 'the cursor stays where the events stopped')
  t.match(failing.last_error, /error_code 99/)
  portal.portal.forceErrors(0)
  await mine.events.pullers?.drain()
  t.equal((await a.db.query("SELECT count(*)::int AS n FROM events WHERE source = 'portal-feed'")).rows[0].n, 6, 'resumed from the cursor')
})
