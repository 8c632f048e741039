import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, testConfig, tokenFor, upstream, type TestLike } from '../helper.js'

const CITIZEN = { personalId: '079203001234', fullName: 'Nguyễn Văn A', dateOfBirth: '2003-01-01', gender: 'male', nationality: 'VN', permanentAddress: { provinceCode: '79', communeCode: '26740', detail: '1 Lê Lợi' }, status: 'alive' }

async function counting (t: TestLike, accept: () => Set<string>): Promise<{ url: string, hits: { n: number } }> {
  const hits = { n: 0 }
  const url = await upstream(t, (up) => up.post('/lookup', async (req, reply) => {
    if (!accept().has(String(req.headers['x-api-key']))) return await reply.code(401).send({})
    hits.n++
    return CITIZEN
  }))
  return { url, hits }
}

const connector = (url: string, apiKey: string) => ({
  id: 'population',
  type: 'rest-json',
  services: ['citizen.lookup'],
  provinces: null,
  enabled: true,
  config: { baseUrl: url, operations: { 'citizen.lookup': { path: '/lookup' } }, auth: { type: 'header', name: 'x-api-key', value: apiKey }, runtime: { retries: { attempts: 0 } } }
})

/** Lookups in a loop against one gateway until stopped; counts outcomes by status. */
function steadyLoad (app: FastifyInstance, token: string): { stop (): Promise<Record<number, number>>, answered (): number } {
  const byStatus: Record<number, number> = {}
  const state = { running: true, answered: 0 }
  const loop = (async () => {
    while (state.running) {
      const res = await app.inject({ method: 'POST', url: '/v1/lookups/citizen.lookup', headers: { authorization: `Bearer ${token}`, 'x-purpose': '1.000894' }, payload: { personalId: '079203001234' } })
      byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1
      state.answered++
    }
  })()
  return { async stop () { state.running = false; await loop; return byStatus }, answered: () => state.answered }
}

t.test('a change made through one gateway is used by the other, under load, without a failed request', async (t) => {
  const keys = new Set(['key-a'])
  const a = await counting(t, () => keys)
  const b = await counting(t, () => keys)
  // The periodic re-read is pushed out of the way, so only the LISTEN/NOTIFY path can deliver the change in time.
  const config = await testConfig(t, { CONFIG_POLL_INTERVAL_MS: '600000', SECRETS_KEY: `k:${Buffer.alloc(32, 7).toString('base64')}` })
  const one = await build(t, { config, connectors: [connector(a.url, 'key-a')] })
  const two = await build(t, { config })
  const token = await tokenFor(one, ['system'], ['citizen.lookup'])
  const admin = await tokenFor(one, ['admin'])

  const loads = [steadyLoad(one, token), steadyLoad(two, token)]
  while (a.hits.n < 20) await new Promise((resolve) => setTimeout(resolve, 10))
  const before = b.hits.n
  const changedAt = Date.now()
  const put = await one.inject({ method: 'PUT', url: '/v1/admin/connectors/population', headers: { authorization: `Bearer ${admin}` }, payload: connector(b.url, 'key-a') })
  t.equal(put.statusCode, 200, put.body)
  // Both gateways now send to B; wait until the second one has (bounded by the test timeout, not a timing assertion).
  const hitsOfB = async (app: FastifyInstance): Promise<boolean> => {
    const n = b.hits.n
    await app.inject({ method: 'POST', url: '/v1/lookups/citizen.lookup', headers: { authorization: `Bearer ${token}`, 'x-purpose': '1.000894' }, payload: { personalId: '079203001234' } })
    return b.hits.n > n
  }
  while (!await hitsOfB(two)) await new Promise((resolve) => setTimeout(resolve, 20))
  t.comment(`change visible on the second gateway after ${Date.now() - changedAt} ms`)
  t.ok(b.hits.n > before)

  // Credential rotation with an overlap window at the upstream: accept old and new, switch the gateway, drop the old.
  keys.add('key-b')
  t.equal((await one.inject({ method: 'PUT', url: '/v1/admin/connectors/population', headers: { authorization: `Bearer ${admin}` }, payload: connector(b.url, 'key-b') })).statusCode, 200)
  while (!(await two.connectors.get('population')?.record.version === 3)) await new Promise((resolve) => setTimeout(resolve, 20))
  // The end of the overlap window: each load loop has one request at a time; once each has answered two more, the
  // one that may have started on the old instance (old key) is done.
  const marks = loads.map((l) => l.answered())
  while (loads.some((l, i) => l.answered() < marks[i] + 2)) await new Promise((resolve) => setTimeout(resolve, 10))
  keys.delete('key-a')
  await new Promise((resolve) => setTimeout(resolve, 200))

  const results = await Promise.all(loads.map(async (l) => await l.stop()))
  for (const [i, byStatus] of results.entries()) {
    t.same(Object.keys(byStatus), ['200'], `gateway ${i + 1} saw only 200s: ${JSON.stringify(byStatus)}`)
  }
})
