import t from 'tap'
import { asciiKey, hasDiacritics, nameKey, queryKey, sameName, stripUnitPrefix, toNfc } from '../../src/admin-units/normalize.js'

t.test('Unicode forms compare equal', async t => {
  const nfd = 'Hoàn Kiếm'.normalize('NFD')
  t.not(nfd, 'Hoàn Kiếm')
  t.equal(toNfc(nfd), 'Hoàn Kiếm')
  t.equal(nameKey(nfd), nameKey('Hoàn Kiếm'))
})

t.test('tone placement is folded', async t => {
  t.ok(sameName('Hòa', 'Hoà'))
  t.ok(sameName('Thủy', 'Thuỷ'))
  t.ok(sameName('Thanh Hóa', 'Thanh Hoá'))
  t.ok(sameName('Khánh Hòa', 'KHÁNH HOÀ'))
  t.notOk(sameName('Hòa', 'Hóa'), 'a different tone is a different name')
  t.notOk(sameName('Hoà', 'Hoa'))
})

t.test('case, spacing and punctuation', async t => {
  t.ok(sameName('Bà Rịa - Vũng Tàu', 'bà rịa–vũng   tàu'))
  t.ok(sameName("Đạ M'ri", 'Đạ Mri'))
  t.ok(sameName('Ðà Nẵng', 'Đà Nẵng'), 'Icelandic eth typed for đ')
})

t.test('with and without diacritics', async t => {
  t.equal(asciiKey('Đồng Nai'), 'dong nai')
  t.ok(sameName('Hoàn Kiếm', 'hoan kiem', { diacritics: false }))
  t.notOk(sameName('Hoàn Kiếm', 'hoan kiem'))
  t.ok(hasDiacritics('Đa'))
  t.notOk(hasDiacritics('Ha Noi'))
  t.same(queryKey('Ha Noi'), { key: 'ha noi', ascii: true })
  t.equal(queryKey('Hà Nội').ascii, false)
})

t.test('unit prefixes', async t => {
  t.same(stripUnitPrefix(asciiKey('Thành phố Hồ Chí Minh')), { type: 'thanh-pho', rest: 'ho chi minh' })
  t.same(stripUnitPrefix(asciiKey('Đặc khu Côn Đảo')), { type: 'dac-khu', rest: 'con dao' })
  t.same(stripUnitPrefix(asciiKey('Thị trấn Ba Chẽ')), { type: 'thi-tran', rest: 'ba che' })
  t.same(stripUnitPrefix(asciiKey('Thị xã Nghĩa Lộ')), { type: 'thi-xa', rest: 'nghia lo' })
  t.same(stripUnitPrefix(asciiKey('Quận 1')), { type: 'quan', rest: '1' })
  t.equal(stripUnitPrefix(nameKey('Phường Hoàn Kiếm'))?.rest, nameKey('Hoàn Kiếm'))
  t.equal(stripUnitPrefix('xa'), null, 'nothing left after the prefix')
  t.equal(stripUnitPrefix('hoan kiem'), null)
  t.equal(nameKey('TP. Hồ Chí Minh'), nameKey('Thành phố Hồ Chí Minh'), 'TP is Thành phố')
})
