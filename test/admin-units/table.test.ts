import t from 'tap'
import { buildTable } from '../../src/admin-units/build-table.js'
import { readTableFile, serializeTable } from '../../src/admin-units/table.js'
import { DONG_NAI_CHANGE_DATE, PRE_REFORM_LAST_DAY, REFORM_DATE } from '../../src/admin-units/dates.js'
import { units } from './fixtures/units.js'

t.test('the committed table equals a fresh build from the vendored sources', async t => {
  t.equal(serializeTable(buildTable()), serializeTable(readTableFile()))
})

t.test('counts', async t => {
  t.equal(units.provinces(PRE_REFORM_LAST_DAY).length, 63)
  t.equal(units.provinces(REFORM_DATE).length, 34)
  t.equal(units.provinces('2026-05-01').length, 34)
  t.equal(units.communes({ asOf: PRE_REFORM_LAST_DAY }).length, 10047)
  t.equal(units.communes({ asOf: REFORM_DATE }).length, 3321)
  t.equal(units.communes({ asOf: DONG_NAI_CHANGE_DATE }).length, 3321)
  t.equal(units.districts().length, 696)
  const byType = (asOf: string): Record<string, number> => {
    const out: Record<string, number> = {}
    for (const c of units.communes({ asOf })) out[c.type] = (out[c.type] ?? 0) + 1
    return out
  }
  t.same(byType(REFORM_DATE), { phuong: 687, xa: 2621, 'dac-khu': 13 }, 'domain.md §2.5, 1/7/2025')
  t.same(byType(DONG_NAI_CHANGE_DATE), { phuong: 697, xa: 2611, 'dac-khu': 13 }, 'after 30/4/2026')
  const cities = (asOf: string): number => units.provinces(asOf).filter(p => p.type === 'thanh-pho').length
  t.equal(cities(REFORM_DATE), 6)
  t.equal(cities(DONG_NAI_CHANGE_DATE), 7)
})

t.test('the 34 province codes of 2025', async t => {
  t.same(units.provinces(REFORM_DATE).map(p => p.code),
    '01 04 08 11 12 14 15 19 20 22 24 25 31 33 37 38 40 42 44 46 48 51 52 56 66 68 75 79 80 82 86 91 92 96'.split(' '))
})

t.test('legacy districts', async t => {
  const q1 = units.districts('79').find(d => d.code === '760')
  t.match(q1, { fullName: 'Quận 1', type: 'quan', provinceCode: '79', validTo: PRE_REFORM_LAST_DAY })
  t.ok(units.communes({ district: '760', asOf: '2025-01-01' }).length > 5, 'old communes of a district')
})
