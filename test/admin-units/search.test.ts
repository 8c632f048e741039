import t from 'tap'
import { TODAY, units } from './fixtures/units.js'

const names = (q: string, province?: string, asOf = TODAY) => units.communes({ q, province, asOf }).map(c => c.fullName)

t.test('name search with and without diacritics', async t => {
  t.equal(names('Hoàn Kiếm')[0], 'Phường Hoàn Kiếm')
  t.equal(names('hoan kiem')[0], 'Phường Hoàn Kiếm')
  t.equal(names('HOAN KIEM')[0], 'Phường Hoàn Kiếm')
  t.equal(names('Phường Hoàn Kiếm')[0], 'Phường Hoàn Kiếm', 'with the prefix')
  t.equal(names('Hàng Trống', '01', '2025-06-30')[0], 'Phường Hàng Trống', 'old names on old dates')
  t.same(names('Hàng Trống', '01'), [], 'no such commune today')
})

t.test('tone-placement variants', async t => {
  t.ok(names('Yên Hòa', '01').includes('Phường Yên Hoà'))
  t.ok(names('Yên Hoà', '01').includes('Phường Yên Hoà'))
  t.ok(names('Đàm Thủy').includes('Xã Đàm Thuỷ'))
  t.ok(names('Đàm Thuỷ').includes('Xã Đàm Thuỷ'))
  t.same(names('Yên Hóa', '01'), [], 'a different tone does not match')
})

t.test('ranking and filters', async t => {
  const list = units.communes({ q: 'an', province: '24', asOf: TODAY })
  t.ok(list.length > 1)
  t.ok(list.every(c => c.parentCode === '24'))
  t.equal(units.communes({ q: 'tan an', limit: 3 }).length, 3)
  t.equal(units.communes({ q: 'Tân An' })[0].name, 'Tân An', 'exact names first')
  t.same(units.provinces(TODAY).map(p => p.code).length, 34)
})
