import t from 'tap'
import { TODAY, units } from './fixtures/units.js'

const route = (input: Parameters<typeof units.resolveProvinceForRouting>[0]) =>
  units.resolveProvinceForRouting(input, { today: TODAY })

t.test('routing by today\'s province', async t => {
  t.match(route({ provinceCode: '15' }), { status: 'resolved', provinceCode: '15', translated: false })
  t.match(route({ provinceCode: '10', asOf: '2025-06-30' }), { status: 'resolved', provinceCode: '15', translated: true })
  t.match(route({ provinceCode: '27', asOf: '2024-01-01' }), { status: 'resolved', provinceCode: '24' })
  t.match(route({ communeCode: '00004', asOf: '2024-01-01' }), {
    status: 'resolved', provinceCode: '01', resolution: { commune: { code: '00004' }, readAs: { commune: { fullName: 'Phường Trúc Bạch' } } }
  })
  t.match(route({ communeCode: '07693', asOf: '2024-01-01' }), { status: 'resolved', provinceCode: '24' })
  t.match(route({ communeCode: '26732' }), { status: 'resolved', provinceCode: '79' })
  t.match(route({ districtCode: '755', asOf: '2024-01-01' }), { status: 'resolved', provinceCode: '79' })
  t.match(route({ districtCode: '001', asOf: '2024-01-01' }), { status: 'resolved', provinceCode: '01' },
    'a district fixes the province even though its communes were spread out')
})

t.test('an ambiguous commune is not routed', async t => {
  const r = route({ communeCode: '00007', asOf: '2024-01-01' })
  t.equal(r.status, 'ambiguous')
  if (r.status === 'ambiguous') {
    t.equal(r.candidates.length, 2)
    t.equal(r.provinceCode, '01', 'informational only')
  }
})

t.test('not found and invalid', async t => {
  t.match(route({ communeCode: '99999' }), { status: 'not_found' })
  t.match(route({ provinceCode: '02' }), { status: 'not_found', reason: /Hà Giang/ })
  t.match(route({ districtCode: '001', asOf: '2025-07-01' }), { status: 'invalid' })
  t.match(route({}), { status: 'invalid' })
})
