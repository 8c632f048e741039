import t from 'tap'
import { isPersonalId, parsePersonalId } from '../../src/identifiers/index.js'
import { createCitizenSimulator, sampleIds, unknownIds } from '../../src/simulators/index.js'
import { PROVINCES } from '../../src/simulators/seed/communes.js'
import { listening, post } from './fixtures/helper.js'

const sim = createCitizenSimulator()

t.test('answers a known citizen, 404 for an unknown PIN, 400 for a malformed one', async (t) => {
  const { url } = await listening(t, sim)
  const [sample] = sampleIds()['citizen.lookup']
  const ok = await post(`${url}/api/citizens/lookup`, sample)
  t.equal(ok.status, 200)
  t.match(ok.body, {
    personalId: sample.personalId,
    fullName: String,
    dateOfBirth: /^\d{4}-\d{2}-\d{2}$/,
    gender: /^(male|female)$/,
    nationality: 'VN',
    permanentAddress: { provinceCode: /^\d{2}$/, communeCode: /^\d{5}$/, detail: String },
    status: /^(alive|deceased)$/
  })
  const missing = await post(`${url}/api/citizens/lookup`, unknownIds()['citizen.lookup'][0])
  t.equal(missing.status, 404)
  t.same(missing.body, { error: 'NOT_FOUND' })
  const bad = await post(`${url}/api/citizens/lookup`, { personalId: '12345' })
  t.equal(bad.status, 400)
  t.equal(bad.body.error, 'INVALID_REQUEST')
})

t.test('5,000 citizens with unique valid PINs consistent with gender and date of birth', async (t) => {
  const communes = new Map(PROVINCES.map((p) => [p.code, new Set(p.communes.map((c) => c.code))]))
  t.equal(sim.citizens.length, 5000)
  t.equal(new Set(sim.citizens.map((c) => c.personalId)).size, 5000)
  const bad = sim.citizens.filter((c) => {
    const pin = parsePersonalId(c.personalId)
    return !isPersonalId(c.personalId) || pin === undefined || pin.gender !== c.gender ||
      pin.birthYear !== Number(c.dateOfBirth.slice(0, 4)) || Number.isNaN(Date.parse(c.dateOfBirth)) ||
      communes.get(c.permanentAddress.provinceCode)?.has(c.permanentAddress.communeCode) !== true
  })
  t.same(bad, [])
  t.ok(sim.citizens.some((c) => c.status === 'deceased'))
  t.ok(sim.citizens.some((c) => c.fullName.startsWith('Nguyễn ')))
})
