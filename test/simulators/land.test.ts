import t from 'tap'
import { isLandParcelId, isPersonalId, isTaxCode } from '../../src/identifiers/index.js'
import { createLandSimulator, PROVINCE_BOUNDS, unknownIds } from '../../src/simulators/index.js'
import { decodeGeohash, listening, post } from './fixtures/helper.js'

for (const provinceCode of ['01', '79']) {
  const sim = createLandSimulator({ provinceCode })

  t.test(`land-${provinceCode} answers both request forms, 404 and 400`, async (t) => {
    const { url } = await listening(t, sim)
    const parcel = sim.parcels[7]
    const byId = await post(`${url}/api/parcels/lookup`, { parcelId: parcel.parcelId })
    t.equal(byId.status, 200)
    t.same(byId.body, parcel)
    const { communeCode, mapSheet, parcelNumber } = parcel
    const byNumber = await post(`${url}/api/parcels/lookup`, { communeCode, mapSheet, parcelNumber })
    t.same(byNumber.body, parcel)
    const numeric = await post(`${url}/api/parcels/lookup`, { communeCode, mapSheet: Number(mapSheet), parcelNumber: `00${parcelNumber}` })
    t.same(numeric.body, parcel, 'numbers and zero-padded digits are accepted')
    for (const body of unknownIds()['land.parcel.lookup']) {
      t.equal((await post(`${url}/api/parcels/lookup`, body)).status, 404)
    }
    t.equal((await post(`${url}/api/parcels/lookup`, { parcelId: 'aaaa' })).status, 400)
    t.equal((await post(`${url}/api/parcels/lookup`, { communeCode: '70' })).status, 400)
  })

  t.test(`land-${provinceCode} seed data: 2,000 parcels with valid, unique identifiers inside the province`, async (t) => {
    const box = PROVINCE_BOUNDS[provinceCode]
    t.equal(sim.parcels.length, 2000)
    t.equal(new Set(sim.parcels.map((p) => p.parcelId)).size, 2000)
    t.equal(new Set(sim.parcels.map((p) => `${p.communeCode}/${p.mapSheet}/${p.parcelNumber}`)).size, 2000)
    const bad = sim.parcels.filter((p) => {
      const { lat, lon } = decodeGeohash(p.parcelId)
      return !isLandParcelId(p.parcelId) || p.provinceCode !== provinceCode || !/^\d{5}$/.test(p.communeCode) ||
        lat < box.lat[0] || lat > box.lat[1] || lon < box.lon[0] || lon > box.lon[1] || !(p.areaM2 > 0) ||
        p.owners.length === 0 ||
        !p.owners.every((o) => 'personalId' in o ? isPersonalId(o.personalId) : isTaxCode(o.taxCode))
    })
    t.same(bad, [])
    t.ok(sim.parcels.some((p) => p.owners.some((o) => 'taxCode' in o)), 'some parcels belong to organisations')
  })
}

t.test('a province without a bounding box needs one', async (t) => {
  t.throws(() => createLandSimulator({ provinceCode: '48' }), /bounding box/)
  const sim = createLandSimulator({ provinceCode: '48', bounds: { lat: [16.0, 16.1], lon: [108.15, 108.25] } })
  t.equal(sim.parcels[0].provinceCode, '48')
})
