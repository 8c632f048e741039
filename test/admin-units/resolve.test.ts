import t from 'tap'
import { MAX_RESOLVE_ITEMS, type ResolveInput } from '../../src/admin-units/index.js'
import { TODAY, units } from './fixtures/units.js'

const one = (item: ResolveInput) => units.resolveOne(item, { today: TODAY })

t.test('a code without a date is today\'s code', async t => {
  t.match(one({ communeCode: '00070' }), {
    status: 'resolved', commune: { code: '00070', fullName: 'Phường Hoàn Kiếm' }, province: { code: '01' }, translated: false
  })
  t.match(one({ provinceCode: '15' }), { status: 'resolved', province: { fullName: 'Tỉnh Lào Cai' } })
  t.match(one({ provinceCode: '24' }), { status: 'resolved', province: { fullName: 'Tỉnh Bắc Ninh' } })
  t.match(one({ communeCode: '00001' }), { status: 'not_found', reason: /until 2025-06-30 it was Phường Phúc Xá/ },
    'an old-only code without a date is not guessed')
})

t.test('a code with a date before the reform is the old code, translated', async t => {
  t.match(one({ provinceCode: '15', asOf: '2020-05-01' }), {
    status: 'resolved',
    kind: 'full',
    translated: true,
    province: { code: '15', fullName: 'Tỉnh Lào Cai' },
    readAs: { province: { fullName: 'Tỉnh Yên Bái' } }
  })
  t.match(one({ provinceCode: '24', asOf: '2025-06-30' }), {
    status: 'resolved', province: { fullName: 'Tỉnh Bắc Ninh' }, readAs: { province: { fullName: 'Tỉnh Bắc Giang' } }
  })
  t.match(one({ provinceCode: '02', asOf: '2025-06-30' }), { status: 'resolved', province: { code: '08', fullName: 'Tỉnh Tuyên Quang' } })
  t.match(one({ communeCode: '00004', asOf: '2024-01-01' }), {
    status: 'resolved',
    kind: 'full',
    commune: { code: '00004', fullName: 'Phường Ba Đình' },
    readAs: { commune: { fullName: 'Phường Trúc Bạch' } }
  })
  t.match(one({ communeCode: '07210', provinceCode: '24', asOf: '2024-01-01' }), {
    status: 'resolved', province: { code: '24', fullName: 'Tỉnh Bắc Ninh' }, commune: { fullName: 'Phường Bắc Giang' }
  })
})

t.test('a commune split between two new communes is ambiguous, never a guess', async t => {
  const r = one({ communeCode: '00007', asOf: '2024-01-01' })
  t.equal(r.status, 'ambiguous')
  t.equal(r.commune, undefined)
  t.same(r.candidates?.map(c => [c.code, c.fullName, c.kind]),
    [['00008', 'Phường Ngọc Hà', 'partial'], ['00025', 'Phường Giảng Võ', 'partial']])
  t.match(r, { province: { code: '01' }, readAs: { commune: { fullName: 'Phường Cống Vị' } }, reason: /split between 2/ })
  t.match(one({ communeCode: '00070', asOf: '2025-06-30' }), { status: 'ambiguous' }, 'Hàng Trống was split too')
})

t.test('dates after the reform read the code on that date', async t => {
  t.match(one({ communeCode: '25270', asOf: '2025-09-01' }), {
    status: 'resolved', translated: false, commune: { fullName: 'Phường Lộc Ninh' }, readAs: { commune: { fullName: 'Xã Lộc Ninh' } }
  })
  t.match(one({ communeCode: '00001', asOf: '2025-07-01' }), { status: 'not_found' })
  t.match(one({ communeCode: '06978', asOf: '2024-01-01' }), { status: 'not_found', reason: /did not exist on 2024-01-01/ })
})

t.test('legacy district codes', async t => {
  const r = one({ districtCode: '001', asOf: '2020-01-01' })
  t.match(r, { status: 'partial', province: { code: '01' }, readAs: { district: { fullName: 'Quận Ba Đình' } } })
  t.ok((r.candidates?.length ?? 0) > 1)
  t.match(one({ districtCode: '001', asOf: '2025-07-01' }), { status: 'invalid', reason: /before 2025-07-01/ })
  t.match(one({ districtCode: '001' }), { status: 'invalid', reason: /before 2025-07-01/ })
  t.match(one({ districtCode: '755', asOf: '2020-01-01' }), {
    status: 'resolved', province: { code: '79' }, commune: { code: '26732', fullName: 'Đặc khu Côn Đảo' }
  }, 'an island district without communes became one đặc khu')
  t.match(one({ districtCode: '999', asOf: '2020-01-01' }), { status: 'not_found' })
  t.match(one({ districtCode: '001', communeCode: '00070', asOf: '2020-01-01' }), { status: 'invalid', reason: /district/ },
    '00070 was in district 002')
  t.match(one({ districtCode: '002', communeCode: '00070', asOf: '2020-01-01' }), { status: 'ambiguous' })
})

t.test('conflicting codes are invalid', async t => {
  t.match(one({ provinceCode: '79', communeCode: '00070' }), { status: 'invalid', reason: /not 79/ })
  t.match(one({ provinceCode: '24', communeCode: '07210', asOf: '2024-01-01' }), { status: 'resolved' })
  t.match(one({ provinceCode: '27', communeCode: '07210', asOf: '2024-01-01' }), { status: 'invalid' })
})

t.test('unknown and malformed input', async t => {
  t.match(one({ communeCode: '99999' }), { status: 'not_found', reason: /unknown commune code/ })
  t.match(one({ communeCode: '99999', asOf: '2020-01-01' }), { status: 'not_found' })
  t.match(one({ provinceCode: '99' }), { status: 'not_found' })
  t.match(one({ provinceCode: '00' }), { status: 'invalid' })
  t.match(one({ communeCode: '70' }), { status: 'invalid' })
  t.match(one({ communeCode: '00070', asOf: '2025-02-30' }), { status: 'invalid', reason: /asOf must be YYYY-MM-DD/ })
  t.match(one({}), { status: 'invalid' })
  t.match(one({ wardCode: '00070' } as unknown as ResolveInput), { status: 'invalid', reason: /unknown field/ })
  t.match(one(null as unknown as ResolveInput), { status: 'invalid' })
  t.match(one({ communeCode: 70 } as unknown as ResolveInput), { status: 'invalid' })
})

t.test('the Ba Chẽ and Ia Mơ aliases', async t => {
  t.match(one({ communeCode: '06970' }), {
    status: 'resolved', commune: { code: '06978', fullName: 'Xã Ba Chẽ' }, alias: { code: '06970', canonical: '06978' }
  })
  t.match(one({ communeCode: '06978' }), { status: 'resolved', commune: { code: '06978' } })
  t.match(one({ communeCode: '23737', asOf: '2025-08-01' }), {
    status: 'resolved', commune: { code: '23938', fullName: 'Xã Ia Mơ' }, province: { code: '52' }, alias: { canonical: '23938' }
  })
  t.match(one({ communeCode: '06970', asOf: '2025-01-01' }), {
    status: 'resolved', commune: { code: '06978' }, readAs: { commune: { fullName: 'Thị trấn Ba Chẽ' } }
  }, 'before the reform 06970 is Thị trấn Ba Chẽ')
  t.match(one({ communeCode: '23737', asOf: '2025-01-01' }), {
    status: 'resolved', commune: { code: '23734', fullName: 'Xã Ia Ly' }, readAs: { commune: { fullName: 'Xã Ia Mơ Nông' } }
  }, 'before the reform 23737 is Xã Ia Mơ Nông, now in Ia Ly')
  t.match(one({ communeCode: '23938', asOf: '2025-01-01' }), { status: 'resolved', commune: { code: '23938' } })
  t.equal(units.get('06970', 'commune', TODAY)?.alias?.canonical, '06978')
  t.equal(units.get('23737', 'commune', TODAY)?.unit?.code, '23938')
})

t.test('names', async t => {
  t.match(one({ communeName: 'Hoan Kiem' }), { status: 'resolved', commune: { code: '00070' } })
  t.match(one({ communeName: 'phường hoàn kiếm' }), { status: 'resolved', commune: { code: '00070' } })
  t.match(one({ communeName: 'Yên Hòa', provinceName: 'Hà Nội' }), { status: 'resolved', commune: { code: '00175' } })
  t.match(one({ provinceName: 'Thanh Hóa' }), { status: 'resolved', province: { code: '38' } })
  t.match(one({ provinceName: 'TP Hồ Chí Minh' }), { status: 'resolved', province: { code: '79' } })
  t.match(one({ provinceName: 'Yên Bái', asOf: '2024-01-01' }), { status: 'resolved', province: { code: '15', fullName: 'Tỉnh Lào Cai' } })
  t.match(one({ provinceName: 'Yên Bái' }), { status: 'resolved', province: { code: '15' }, reason: /pre-reform name/ },
    'a name that no longer exists is read as pre-reform')
  t.match(one({ communeName: 'Tân An' }), { status: 'ambiguous' })
  t.match(one({ communeName: 'Tân An', provinceCode: '24' }), { status: 'resolved', commune: { code: '07682' } })
  t.match(one({ communeName: 'Cống Vị', districtName: 'Ba Đình', provinceName: 'Hà Nội', asOf: '2024-01-01' }),
    { status: 'ambiguous', candidates: [{ code: '00008' }, { code: '00025' }] })
  t.match(one({ communeName: 'Nowhere' }), { status: 'not_found' })
})

t.test('batch limit', async t => {
  t.equal(units.resolve([{ communeCode: '00070' }, { provinceCode: '15' }], { today: TODAY }).length, 2)
  t.throws(() => units.resolve(Array.from({ length: MAX_RESOLVE_ITEMS + 1 }, () => ({ provinceCode: '01' }))), RangeError)
})
