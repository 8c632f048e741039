import { readFile } from 'node:fs/promises'
import t from 'tap'
import { SAMPLE_SERVICE_IDS, sampleIds, startSimulators, unknownIds, type RunningSimulators, type Samples } from '../../src/simulators/index.js'
import { get, post } from './fixtures/helper.js'

const file = JSON.parse(await readFile(new URL('../../config/simulators/samples.json', import.meta.url), 'utf8')) as Samples

/** Where the gateway would send each lookup: land by the commune's province, or every land database for a parcel id. */
function targets (urls: RunningSimulators['urls'], service: string, body: Record<string, string>): string[] {
  switch (service) {
    case 'citizen.lookup': return [`${urls.citizen}/api/citizens/lookup`]
    case 'tax.taxpayer.lookup': return [`${urls.tax}/api/taxpayers/lookup`]
    case 'insurance.coverage.lookup': return [`${urls.insurance}/api/insurance/lookup`]
    default: {
      const lands = [urls['land-01'], urls['land-79']]
      const chosen = body.communeCode === undefined ? lands : [body.communeCode < '26000' ? urls['land-01'] : urls['land-79']]
      return chosen.map((u) => `${u}/api/parcels/lookup`)
    }
  }
}

t.test('the committed samples file is what the code generates (npm: run write-samples after data changes)', async (t) => {
  t.same(file, sampleIds())
  t.same(Object.keys(file).sort(), [...SAMPLE_SERVICE_IDS].sort())
  t.ok(file['land.parcel.lookup'].some((b) => 'parcelId' in b) && file['land.parcel.lookup'].some((b) => 'mapSheet' in b))
})

t.test('every sample succeeds and every unknown id is a 404 against freshly started simulators', async (t) => {
  const sims = await startSimulators()
  t.teardown(() => sims.close())
  for (const id of Object.keys(sims.urls) as Array<keyof typeof sims.urls>) {
    t.same((await get(`${sims.urls[id]}/_sim/health`)).body.ok, true, `${id} is up`)
  }
  for (const service of SAMPLE_SERVICE_IDS) {
    for (const body of file[service]) {
      const statuses = await Promise.all(targets(sims.urls, service, body).map(async (u) => (await post(u, body)).status))
      t.same(statuses.filter((s) => s === 200).length, 1, `${service} ${JSON.stringify(body)}`)
    }
    for (const body of unknownIds()[service]) {
      for (const u of targets(sims.urls, service, body)) t.equal((await post(u, body)).status, 404, `${service} unknown ${JSON.stringify(body)}`)
    }
  }
  const parcels = file['land.parcel.lookup'].filter((b) => b.communeCode !== undefined)
  t.ok(parcels.some((b) => b.communeCode < '26000') && parcels.some((b) => b.communeCode >= '26000'), 'both provinces')
})

t.test('basePort places the simulators on their offsets from it', async (t) => {
  for (let attempt = 0; ; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000)
    try {
      const sims = await startSimulators({ basePort: base })
      t.teardown(() => sims.close())
      t.same(Object.values(sims.urls).map((u) => Number(new URL(u).port)), [0, 1, 2, 3, 4, 5, 10, 11, 12, 13].map((i) => base + i), 'the six of the lookups and the portal, then the four of the procedures')
      return
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 4) throw err
    }
  }
})
