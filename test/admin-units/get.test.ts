import t from 'tap'
import { TODAY, units } from './fixtures/units.js'

t.test('00070 before and after the reform', async t => {
  const before = units.get('00070', 'commune', '2025-06-30', { today: TODAY })
  t.match(before?.unit, { fullName: 'Phường Hàng Trống', type: 'phuong', parentCode: '01', districtCode: '002', validTo: '2025-06-30' })
  t.same(before?.successors.map(s => [s.unit.code, s.unit.fullName, s.kind]),
    [['00070', 'Phường Hoàn Kiếm', 'partial'], ['00082', 'Phường Cửa Nam', 'partial']])
  const after = units.get('00070', 'commune', '2025-07-01', { today: TODAY })
  t.match(after?.unit, { fullName: 'Phường Hoàn Kiếm', validFrom: '2025-07-01', validTo: null })
  t.same(after?.history.map(u => u.fullName), ['Phường Hàng Trống', 'Phường Hoàn Kiếm'])
  t.ok(after?.predecessors.some(p => p.unit.fullName === 'Phường Hàng Trống' && p.kind === 'partial'))
  t.equal(units.get('00070', 'commune', undefined, { today: TODAY })?.unit?.fullName, 'Phường Hoàn Kiếm', 'default: today')
})

t.test('province 15: Yên Bái, then Lào Cai', async t => {
  const before = units.get('15', 'province', '2025-06-30', { today: TODAY })
  t.equal(before?.unit?.fullName, 'Tỉnh Yên Bái')
  t.same(before?.successors.map(s => [s.unit.code, s.unit.fullName, s.kind]), [['15', 'Tỉnh Lào Cai', 'full']])
  const after = units.get('15', 'province', '2025-07-01', { today: TODAY })
  t.equal(after?.unit?.fullName, 'Tỉnh Lào Cai')
  t.same(after?.predecessors.map(p => p.unit.fullName).sort(), ['Tỉnh Lào Cai', 'Tỉnh Yên Bái'])
  t.same(units.get('10', 'province', '2025-06-30', { today: TODAY })?.successors.map(s => s.unit.code), ['15'],
    'old Lào Cai (10) went into the new 15')
  t.equal(units.get('10', 'province', '2025-07-01')?.unit, null, '10 means nothing after the reform')
})

t.test('province 24: Bắc Giang, then Bắc Ninh', async t => {
  t.equal(units.get('24', 'province', '2024-12-31')?.unit?.fullName, 'Tỉnh Bắc Giang')
  t.equal(units.get('24', 'province', '2025-07-01')?.unit?.fullName, 'Tỉnh Bắc Ninh')
  t.same(units.get('27', 'province', '2024-12-31', { today: TODAY })?.successors.map(s => s.unit.fullName), ['Tỉnh Bắc Ninh'])
})

t.test('Đồng Nai becomes a centrally-run city on 2026-04-30', async t => {
  t.match(units.get('75', 'province', '2026-04-29')?.unit, { fullName: 'Tỉnh Đồng Nai', type: 'tinh', validTo: '2026-04-29' })
  t.match(units.get('75', 'province', '2026-04-30')?.unit, { fullName: 'Thành phố Đồng Nai', type: 'thanh-pho', validTo: null })
  t.equal(units.get('75', 'province', '2025-06-30')?.unit?.fullName, 'Tỉnh Đồng Nai', 'the old province 75')
  t.same(units.get('75', 'province', '2026-01-01', { today: TODAY })?.history.map(u => [u.type, u.validFrom, u.validTo]),
    [['tinh', null, '2025-06-30'], ['tinh', '2025-07-01', '2026-04-29'], ['thanh-pho', '2026-04-30', null]])
})

t.test('one of the 10 Đồng Nai xã that became phường', async t => {
  const before = units.get('25270', 'commune', '2026-04-29', { today: TODAY })
  t.match(before?.unit, { fullName: 'Xã Lộc Ninh', type: 'xa', parentCode: '75' })
  t.same(before?.successors.map(s => [s.unit.fullName, s.kind]), [['Phường Lộc Ninh', 'full']], 'same code, today\'s version')
  t.match(units.get('25270', 'commune', '2026-04-30')?.unit, { fullName: 'Phường Lộc Ninh', type: 'phuong' })
  t.equal(units.get('25270', 'commune', '2025-01-01')?.unit?.fullName, 'Thị trấn Lộc Ninh', 'before the reform')
  const changed = units.communes({ province: '75', asOf: '2026-04-30' })
    .filter(c => c.validFrom === '2026-04-30').map(c => c.fullName)
  t.equal(changed.length, 10)
  t.ok(changed.every(n => n.startsWith('Phường ')))
})

t.test('an island district becomes a đặc khu', async t => {
  const conDao = units.get('26732', 'commune', TODAY, { today: TODAY })
  t.equal(conDao?.unit?.fullName, 'Đặc khu Côn Đảo')
  t.same(conDao?.districtPredecessors.map(d => d.fullName), ['Huyện Côn Đảo'])
})

t.test('unknown codes', async t => {
  t.equal(units.get('99999', 'commune'), null)
  t.equal(units.get('99', 'province'), null)
  t.equal(units.get('00070', 'province'), null)
  t.throws(() => units.get('00070', 'commune', '2025-13-01'), TypeError)
})

t.test('provinceOf', async t => {
  t.equal(units.provinceOf('00070', '2025-06-30')?.fullName, 'Thành phố Hà Nội')
  t.equal(units.provinceOf('07210', '2025-06-30')?.fullName, 'Tỉnh Bắc Giang', 'old 07210 was in Bắc Giang')
  t.equal(units.provinceOf('07210', TODAY)?.fullName, 'Tỉnh Bắc Ninh')
  t.equal(units.provinceOf('06970', TODAY)?.code, '22', 'alias')
  t.equal(units.provinceOf('99999', TODAY), null)
})
