import t from 'tap'
import { Redis } from 'ioredis'
import { SharedCounters, CountersUnavailable } from '../../src/limits/shared-counters.js'
import { freePort } from '../../src/dev/free-port.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const key = (): string => `test:counters:${Math.random().toString(36).slice(2)}`
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

function redis (t: Tap.Test, url = REDIS_URL, opts = {}): Redis {
  const r = new Redis(url, { lazyConnect: false, ...opts })
  r.on('error', () => {})
  t.teardown(() => { r.disconnect() })
  return r
}

function counters (t: Tap.Test, r: Redis, opts: Partial<ConstructorParameters<typeof SharedCounters>[1]> = {}): SharedCounters {
  const c = new SharedCounters(r, { syncMs: 20, staleMs: 200, failOpen: true, ...opts })
  t.teardown(async () => { await c.close() })
  return c
}

t.test('one instance counts exactly, without waiting for Redis', async (t) => {
  const c = counters(t, redis(t))
  const k = key()
  const seen = []
  for (let i = 0; i < 5; i++) seen.push((await c.hit(k, 60_000)).current)
  t.same(seen, [1, 2, 3, 4, 5])
})

t.test('an instance learns the other instances\' hits at its syncs; Redis holds the total', async (t) => {
  const r = redis(t)
  const a = counters(t, r)
  const b = counters(t, redis(t))
  const k = key()
  for (let i = 0; i < 7; i++) await a.hit(k, 60_000)
  await sleep(100)
  for (let i = 0; i < 5; i++) await b.hit(k, 60_000)
  await sleep(100)
  t.equal(b.peek(k, 60_000).current, 12, 'b: a\'s 7 + its own 5')
  t.equal((await a.hit(k, 60_000)).current, 13, 'a, hit 100 ms after b: b\'s 5 already read back')
  await sleep(100)
  t.equal(a.peek(k, 60_000).current, 13, 'a, after it: every hit')
  t.equal(await r.get(`${k}:${Math.floor(Date.now() / 60_000)}`), '13')
})

/**
 * Two instances on one key: b is hit once, then, `quietMs` later, a is hit 7 times; returns 150 ms after that (a's
 * hits sent, and read back by b if b still reads the key).
 */
async function othersHitAfter (t: Tap.Test, quietMs: number): Promise<{ b: SharedCounters, k: string }> {
  const a = counters(t, redis(t))
  const b = counters(t, redis(t))
  const k = key()
  await b.hit(k, 60_000)
  await sleep(quietMs)
  for (let i = 0; i < 7; i++) await a.hit(k, 60_000)
  await sleep(150)
  return { b, k }
}

t.test('an instance that is not being hit still reads the other instances\' hits back, one interval late', async (t) => {
  const { b, k } = await othersHitAfter(t, 60) // after 60 ms b has sent its hit and has nothing more to send
  // without reading back, b would check its next hit against the 1 it saw when it last sent one
  t.equal(b.peek(k, 60_000).current, 8, 'b: its own hit and a\'s 7, with no hit of its own since')
  t.equal((await b.hit(k, 60_000)).current, 9, 'b\'s next hit is counted against every instance\'s')
})

t.test('an instance stops reading a window back a second after its last hit there (no polling of idle keys)', async (t) => {
  const { b, k } = await othersHitAfter(t, 1100) // past ACTIVE_MS: b's last sync of the key is behind it
  t.equal(b.peek(k, 60_000).current, 1, 'b: what it knew at its last read, no read since')
  t.equal((await b.hit(k, 60_000)).current, 2, 'a hit counts on that')
  await sleep(150)
  t.equal(b.peek(k, 60_000).current, 9, 'its next sync brings every instance\'s hits')
})

t.test('windows are aligned to the clock (and shifted by the offset) and reset', async (t) => {
  const c = counters(t, redis(t))
  const k = key()
  const hit = await c.hit(k, 60_000, 7 * 3_600_000)
  const endsAt = Date.now() + hit.resetMs
  t.equal((endsAt + 7 * 3_600_000) % 60_000 < 50 || (endsAt + 7 * 3_600_000) % 60_000 > 59_950, true, 'the window ends on a minute boundary')
  const short = key()
  await c.hit(short, 100)
  await sleep(120)
  t.equal((await c.hit(short, 100)).current, 1, 'a new window starts from 0')
})

t.test('syncMs 0: every hit is counted in Redis at once', async (t) => {
  const r = redis(t)
  const a = counters(t, r, { syncMs: 0 })
  const b = counters(t, redis(t), { syncMs: 0 })
  const k = key()
  await a.hit(k, 60_000)
  await b.hit(k, 60_000)
  t.equal((await a.hit(k, 60_000)).current, 3)
})

t.test('Redis unreachable: failing open counts on locally; failing closed refuses once the counters are stale', async (t) => {
  const down = `redis://127.0.0.1:${await freePort()}`
  const opts = { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 1000 }
  const open = counters(t, redis(t, down, opts), { failOpen: true, staleMs: 50 })
  const closed = counters(t, redis(t, down, opts), { failOpen: false, staleMs: 50 })
  const k = key()
  await open.hit(k, 60_000)
  await closed.hit(k, 60_000)
  await sleep(150)
  t.equal((await open.hit(k, 60_000)).current, 2, 'local count kept')
  const refused = await closed.hit(k, 60_000).catch((err: Error) => err)
  t.ok(refused instanceof CountersUnavailable, 'refused')
})

t.test('hits counted while Redis was unreachable reach it when it is back', async (t) => {
  const r = redis(t, REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0 })
  await new Promise((resolve) => r.once('ready', resolve))
  const c = counters(t, r)
  const k = key()
  r.disconnect()
  for (let i = 0; i < 4; i++) await c.hit(k, 60_000)
  await sleep(100)
  await r.connect()
  await new Promise((resolve) => { if (r.status === 'ready') resolve(undefined); else r.once('ready', resolve) })
  await c.hit(k, 60_000)
  await sleep(150)
  const check = redis(t)
  t.equal(await check.get(`${k}:${Math.floor(Date.now() / 60_000)}`), '5')
})
