import t from 'tap'
import { isPersonalId, isTaxCode } from '../../src/identifiers/index.js'
import { createTaxSimulator, unknownIds } from '../../src/simulators/index.js'
import { listening, post } from './fixtures/helper.js'

const sim = createTaxSimulator()

t.test('answers organisations, branches and individuals; 404 and 400', async (t) => {
  const { url } = await listening(t, sim)
  const lookup = async (taxCode: string) => await post(`${url}/api/taxpayers/lookup`, { taxCode })
  for (const code of ['0100109106', '0101243150', '0300588569']) {
    const res = await lookup(code)
    t.equal(res.status, 200)
    t.match(res.body, { taxCode: code, name: String, kind: 'organisation', status: 'active', taxAuthority: String, address: String })
  }
  const branch = sim.taxpayers.find((p) => p.taxCode.includes('-'))!
  t.same((await lookup(branch.taxCode)).body, branch)
  t.same((await lookup(branch.taxCode.replace('-', ''))).body, branch, '13 digits without the dash are normalised')
  const individual = sim.taxpayers.find((p) => p.taxCode.length === 12)!
  t.same((await lookup(individual.taxCode)).body, individual)
  for (const { taxCode } of unknownIds()['tax.taxpayer.lookup']) t.equal((await lookup(taxCode)).status, 404)
  t.equal((await lookup('0100109107')).status, 400, 'wrong check digit')
})

t.test('3,000 taxpayers with unique valid tax codes and consistent kinds', async (t) => {
  t.equal(sim.taxpayers.length, 3000)
  t.equal(new Set(sim.taxpayers.map((p) => p.taxCode)).size, 3000)
  const bad = sim.taxpayers.filter((p) => !isTaxCode(p.taxCode) ||
    (p.kind === 'household' && !isPersonalId(p.taxCode)) ||
    (p.kind === 'organisation' && isPersonalId(p.taxCode)))
  t.same(bad, [])
  const kinds = new Set(sim.taxpayers.map((p) => p.kind))
  t.same([...kinds].sort(), ['household', 'individual', 'organisation'])
  t.ok(sim.taxpayers.filter((p) => /-\d{3}$/.test(p.taxCode)).length >= 100, 'branches')
})
