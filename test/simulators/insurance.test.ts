import t from 'tap'
import { isHealthInsuranceCardNo, isPersonalId, isSocialInsuranceCode, socialInsuranceCodeOfCard } from '../../src/identifiers/index.js'
import { createCitizenSimulator, createInsuranceSimulator, unknownIds } from '../../src/simulators/index.js'
import { listening, post } from './fixtures/helper.js'

const sim = createInsuranceSimulator()

t.test('the three request forms find the same record; 404 and 400', async (t) => {
  const { url } = await listening(t, sim)
  const lookup = async (body: unknown) => await post(`${url}/api/insurance/lookup`, body)
  const record = sim.records[42]
  for (const body of [
    { socialInsuranceCode: record.socialInsuranceCode },
    { healthInsuranceCardNo: record.healthInsurance.cardNo },
    { personalId: record.personalId }
  ]) {
    const res = await lookup(body)
    t.equal(res.status, 200)
    t.same(res.body, record)
  }
  for (const body of unknownIds()['insurance.coverage.lookup']) t.equal((await lookup(body)).status, 404)
  t.equal((await lookup({ socialInsuranceCode: '12' })).status, 400)
  t.equal((await lookup({})).status, 400)
})

t.test('3,000 records with valid codes, cards carrying the code, many linked to citizens', async (t) => {
  t.equal(sim.records.length, 3000)
  t.equal(new Set(sim.records.map((r) => r.socialInsuranceCode)).size, 3000)
  t.equal(new Set(sim.records.map((r) => r.personalId)).size, 3000)
  const bad = sim.records.filter(({ socialInsuranceCode, personalId, healthInsurance: h }) =>
    !isSocialInsuranceCode(socialInsuranceCode) || !isPersonalId(personalId) || !isHealthInsuranceCardNo(h.cardNo) ||
    socialInsuranceCodeOfCard(h.cardNo) !== socialInsuranceCode || Number(h.cardNo[2]) !== h.benefitLevel ||
    !(h.validFrom < h.validTo))
  t.same(bad, [])
  const citizens = new Map(createCitizenSimulator().citizens.map((c) => [c.personalId, c]))
  const linked = sim.records.filter((r) => citizens.get(r.personalId)?.fullName === r.fullName)
  t.equal(linked.length, 2000)
})
