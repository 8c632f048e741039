import t from 'tap'
import { request } from 'undici'
import { createCitizenSimulator, Faults, sampleIds } from '../../src/simulators/index.js'
import { get, listening, post } from './fixtures/helper.js'

const sample = sampleIds()['citizen.lookup'][0]

t.test('health, and fault settings over HTTP', async (t) => {
  const sim = await listening(t, createCitizenSimulator())
  t.same((await get(`${sim.url}/_sim/health`)).body, { ok: true, simulator: 'citizen', seed: sim.seed })
  const put = await request(`${sim.url}/_sim/faults`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 503 })
  })
  t.same(await put.body.json(), { status: 503 })
  t.same(sim.faults.current, { status: 503 })
  const res = await post(`${sim.url}/api/citizens/lookup`, sample)
  t.equal(res.status, 503)
  t.same((await get(`${sim.url}/_sim/health`)).body.ok, true, 'the control API is never faulted')
  const bad = await request(`${sim.url}/_sim/faults`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errorRate: 2 })
  })
  t.equal(bad.statusCode, 400)
  await bad.body.dump()
  const del = await request(`${sim.url}/_sim/faults`, { method: 'DELETE' })
  t.same(await del.body.json(), {})
  t.equal((await post(`${sim.url}/api/citizens/lookup`, sample)).status, 200)
})

t.test('down destroys the connection', async (t) => {
  const sim = await listening(t, createCitizenSimulator())
  sim.faults.set({ down: true })
  await t.rejects(post(`${sim.url}/api/citizens/lookup`, sample), { code: 'UND_ERR_SOCKET' })
  sim.faults.reset()
  t.equal((await post(`${sim.url}/api/citizens/lookup`, sample)).status, 200)
})

t.test('latency delays the answer', async (t) => {
  const sim = await listening(t, createCitizenSimulator())
  sim.faults.set({ latencyMs: 150 })
  const started = performance.now()
  t.equal((await post(`${sim.url}/api/citizens/lookup`, sample)).status, 200)
  t.ok(performance.now() - started >= 140, 'took at least the latency')
})

t.test('errorRate answers 500 to a deterministic fraction', async (t) => {
  const sim = await listening(t, createCitizenSimulator())
  const run = async (): Promise<number[]> => {
    sim.faults.set({ errorRate: 0.5 })
    const statuses: number[] = []
    for (let i = 0; i < 40; i++) statuses.push((await post(`${sim.url}/api/citizens/lookup`, sample)).status)
    return statuses
  }
  const first = await run()
  const failures = first.filter((s) => s === 500).length
  t.ok(failures > 8 && failures < 32, `about half fail (${failures}/40)`)
  t.same(await run(), first, 'set() restarts the same sequence')
})

t.test('invalid settings are refused in-process too', async (t) => {
  const faults = new Faults(1)
  t.throws(() => faults.set({ latencyMs: -1 }), RangeError)
  t.throws(() => faults.set({ status: 42 }), RangeError)
  t.throws(() => faults.set({ errorRate: 1.5 }), RangeError)
})
