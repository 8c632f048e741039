import t from 'tap'
import { build, tokenFor } from '../helper.js'
import { startSimulators, sampleIds } from '../../src/simulators/index.js'

async function setup (t: Parameters<typeof build>[0], env: Record<string, string> = {}) {
  const sims = await startSimulators({ host: '127.0.0.1' })
  t.teardown(async () => { await sims.close() })
  const land = (id: string, url: string, provinces: string[]) => ({
    id,
    type: 'rest-json',
    services: ['land.parcel.lookup'],
    provinces,
    enabled: true,
    config: { baseUrl: url, operations: { 'land.parcel.lookup': { path: '/api/parcels/lookup' } } }
  })
  const app = await build(t, { connectors: [land('land-01', sims.urls['land-01'], ['01']), land('land-79', sims.urls['land-79'], ['79'])], env })
  const token = await tokenFor(app, ['system'], ['land.parcel.lookup'])
  const lookup = async (payload: object) => await app.inject({ method: 'POST', url: '/v1/lookups/land.parcel.lookup', headers: { authorization: `Bearer ${token}`, 'x-purpose': '1.003003' }, payload })
  return { app, lookup }
}

t.test('a parcel is routed to the land database of its province today', async (t) => {
  const { lookup } = await setup(t)
  for (const body of sampleIds()['land.parcel.lookup']) {
    const res = await lookup(body)
    t.equal(res.statusCode, 200, JSON.stringify(body))
    const { data, meta } = res.json()
    t.equal(meta.connector, `land-${data.provinceCode}`, 'served by the province that holds the parcel')
    t.notOk(meta.resolved, 'today\'s codes need no resolution')
  }
})

t.test('an old commune code with a pre-reform date is translated before routing, and the answer says so', async (t) => {
  const { app, lookup } = await setup(t)
  const today = app.adminUnits.get('26809', 'commune')
  const old = today?.predecessors.find((p) => p.kind === 'full' && p.unit.code !== '26809')
  t.ok(old, 'the data has a commune merged whole into 26809')
  const sample = sampleIds()['land.parcel.lookup'].find((b) => b.communeCode === '26809') as Record<string, string>
  const res = await lookup({ ...sample, communeCode: old?.unit.code as string, asOf: '2024-05-01' })
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json().meta.resolved, [{ field: 'communeCode', from: old?.unit.code, to: '26809', asOf: '2024-05-01' }])
  t.equal(res.json().data.communeCode, '26809')
})

t.test('a commune split between several new communes → 422 with the candidates, never a guess', async (t) => {
  const { app, lookup } = await setup(t)
  const split = app.adminUnits.get('26809', 'commune')?.predecessors
    .map((p) => p.unit.code)
    .find((code) => app.adminUnits.resolve([{ communeCode: code, asOf: '2024-05-01' }])[0].status === 'ambiguous')
  t.ok(split, 'the data has a split commune among the predecessors of 26809')
  const res = await lookup({ communeCode: split as string, mapSheet: '1', parcelNumber: '1', asOf: '2024-05-01' })
  t.equal(res.statusCode, 422)
  t.equal(res.json().code, 'AMBIGUOUS_ADMIN_UNIT')
  t.ok(res.json().candidates.length >= 2)
  t.ok(res.json().candidates.some((c: { code: string }) => c.code === '26809'))
})

t.test('an unknown commune code → 400 naming the field; no instance for a province → 503', async (t) => {
  const { app, lookup } = await setup(t)
  const unknown = await lookup({ communeCode: '99999', mapSheet: '1', parcelNumber: '1' })
  t.equal(unknown.statusCode, 400)
  t.match(unknown.json().errors, [{ path: '/communeCode' }])
  const daNang = app.adminUnits.communes({ province: '48', limit: 1 })[0].code
  const elsewhere = await lookup({ communeCode: daNang, mapSheet: '1', parcelNumber: '1' })
  t.equal(elsewhere.statusCode, 503, 'a province no land connector serves')
  t.equal(elsewhere.json().code, 'UPSTREAM_UNAVAILABLE')
})

t.test('a parcel id alone asks at most LAND_PARCEL_FANOUT_MAX land databases; past that the province is required', async (t) => {
  const { lookup } = await setup(t, { LAND_PARCEL_FANOUT_MAX: '1' })
  const byId = sampleIds()['land.parcel.lookup'].filter((b) => b.parcelId !== undefined)
  for (const body of byId) {
    const refused = await lookup(body)
    t.equal(refused.statusCode, 400)
    t.match(refused.json(), { code: 'VALIDATION_FAILED', errors: [{ path: '/provinceCode', message: /2 provincial databases/ }] })
    const found = await lookup({ ...body, provinceCode: '79' })
    const other = await lookup({ ...body, provinceCode: '01' })
    const answers = [found, other].map((r) => r.statusCode).sort()
    t.same(answers, [200, 404], 'with the province: one database asked, the right one finds it')
  }
})
