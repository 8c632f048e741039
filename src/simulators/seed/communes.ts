/**
 * A few real 2025 administrative units per province (Decision 19/2025/QĐ-TTg codes, from the official commune
 * code letter 1027/CTK-CSCL transcribed in dvhcvn/20250701, MIT): three communes for every province, and twelve
 * inner-city wards for Hà Nội (01) and TP Hồ Chí Minh (79), whose land simulators place parcels in them.
 */
export interface Commune { code: string, name: string }
export interface Province { code: string, name: string, communes: readonly Commune[] }

type Row = [code: string, name: string, communes: Array<[string, string]>]

const ROWS: Row[] = [
  ['01', 'Thành phố Hà Nội', [
    ['00070', 'Phường Hoàn Kiếm'],
    ['00082', 'Phường Cửa Nam'],
    ['00004', 'Phường Ba Đình'],
    ['00008', 'Phường Ngọc Hà'],
    ['00025', 'Phường Giảng Võ'],
    ['00256', 'Phường Hai Bà Trưng'],
    ['00283', 'Phường Vĩnh Tuy'],
    ['00292', 'Phường Bạch Mai'],
    ['00235', 'Phường Đống Đa'],
    ['00229', 'Phường Kim Liên'],
    ['00226', 'Phường Văn Miếu - Quốc Tử Giám'],
    ['00199', 'Phường Láng']
  ]],
  ['04', 'Cao Bằng', [['01273', 'Phường Thục Phán'], ['01279', 'Phường Nùng Trí Cao'], ['01288', 'Phường Tân Giang']]],
  ['08', 'Tuyên Quang', [['02269', 'Xã Thượng Lâm'], ['02266', 'Xã Lâm Bình'], ['02302', 'Xã Minh Quang']]],
  ['11', 'Điện Biên', [['03325', 'Xã Mường Phăng'], ['03127', 'Phường Điện Biên Phủ'], ['03334', 'Phường Mường Thanh']]],
  ['12', 'Lai Châu', [['03637', 'Xã Mường Kim'], ['03640', 'Xã Khoen On'], ['03595', 'Xã Than Uyên']]],
  ['14', 'Sơn La', [['03646', 'Phường Tô Hiệu'], ['03664', 'Phường Chiềng An'], ['03670', 'Phường Chiềng Cơi']]],
  ['15', 'Lào Cai', [['04465', 'Xã Khao Mang'], ['04456', 'Xã Mù Cang Chải'], ['04492', 'Xã Púng Luông']]],
  ['19', 'Thái Nguyên', [['05443', 'Phường Phan Đình Phùng'], ['05710', 'Phường Linh Sơn'], ['05500', 'Phường Tích Lương']]],
  ['20', 'Lạng Sơn', [['06040', 'Xã Thất Khê'], ['06001', 'Xã Đoàn Kết'], ['06019', 'Xã Tân Tiến']]],
  ['22', 'Quảng Ninh', [['07090', 'Phường An Sinh'], ['07093', 'Phường Đông Triều'], ['07081', 'Phường Bình Khê']]],
  ['24', 'Bắc Ninh', [['07627', 'Xã Đại Sơn'], ['07615', 'Xã Sơn Động'], ['07616', 'Xã Tây Yên Tử']]],
  ['25', 'Phú Thọ', [['07900', 'Phường Việt Trì'], ['07894', 'Phường Nông Trang'], ['07909', 'Phường Thanh Miếu']]],
  ['31', 'Thành phố Hải Phòng', [['11560', 'Phường Thủy Nguyên'], ['11557', 'Phường Thiên Hương'], ['11533', 'Phường Hòa Bình']]],
  ['33', 'Hưng Yên', [['11953', 'Phường Phố Hiến'], ['11983', 'Phường Sơn Nam'], ['11980', 'Phường Hồng Châu']]],
  ['37', 'Ninh Bình', [['14464', 'Xã Gia Viễn'], ['14500', 'Xã Đại Hoàng'], ['14482', 'Xã Gia Hưng']]],
  ['38', 'Thanh Hóa', [['14797', 'Phường Hạc Thành'], ['16522', 'Phường Quảng Phú'], ['16417', 'Phường Đông Quang']]],
  ['40', 'Nghệ An', [['17329', 'Xã Anh Sơn'], ['17380', 'Xã Yên Xuân'], ['17344', 'Xã Nhân Hòa']]],
  ['42', 'Hà Tĩnh', [['18754', 'Phường Sông Trí'], ['18781', 'Phường Hải Ninh'], ['18832', 'Phường Hoành Sơn']]],
  ['44', 'Quảng Trị', [['18880', 'Phường Đồng Hới'], ['18859', 'Phường Đồng Thuận'], ['18871', 'Phường Đồng Sơn']]],
  ['46', 'Thành phố Huế', [['19900', 'Phường Thuận An'], ['20014', 'Phường Hóa Châu'], ['19930', 'Phường Mỹ Thượng']]],
  ['48', 'Thành phố Đà Nẵng', [['20242', 'Phường Hải Châu'], ['20257', 'Phường Hòa Cường'], ['20209', 'Phường Thanh Khê']]],
  ['51', 'Quảng Ngãi', [['21211', 'Xã Tịnh Khê'], ['21172', 'Phường Trương Quang Trọng'], ['21034', 'Xã An Phú']]],
  ['52', 'Gia Lai', [['21583', 'Phường Quy Nhơn'], ['21601', 'Phường Quy Nhơn Đông'], ['21589', 'Phường Quy Nhơn Tây']]],
  ['56', 'Khánh Hòa', [['22366', 'Phường Nha Trang'], ['22333', 'Phường Bắc Nha Trang'], ['22390', 'Phường Tây Nha Trang']]],
  ['66', 'Đắk Lắk', [['24175', 'Xã Hòa Phú'], ['24133', 'Phường Buôn Ma Thuột'], ['24163', 'Phường Tân An']]],
  ['68', 'Lâm Đồng', [['24781', 'Phường Xuân Hương - Đà Lạt'], ['24787', 'Phường Cam Ly - Đà Lạt'], ['24778', 'Phường Lâm Viên - Đà Lạt']]],
  ['75', 'Đồng Nai', [['26068', 'Phường Biên Hòa'], ['26041', 'Phường Trấn Biên'], ['26017', 'Phường Tam Hiệp']]],
  ['79', 'Thành phố Hồ Chí Minh', [
    ['26740', 'Phường Sài Gòn'],
    ['26737', 'Phường Tân Định'],
    ['26743', 'Phường Bến Thành'],
    ['26758', 'Phường Cầu Ông Lãnh'],
    ['27004', 'Phường Tân Bình'],
    ['27007', 'Phường Tân Sơn'],
    ['27043', 'Phường Đức Nhuận'],
    ['26884', 'Phường Gò Vấp'],
    ['26824', 'Phường Thủ Đức'],
    ['26809', 'Phường Hiệp Bình'],
    ['26800', 'Phường Linh Xuân'],
    ['26848', 'Phường Phước Long']
  ]],
  ['80', 'Tây Ninh', [['27727', 'Xã Hưng Điền'], ['27736', 'Xã Vĩnh Thạnh'], ['27721', 'Xã Tân Hưng']]],
  ['82', 'Đồng Tháp', [['28261', 'Phường Mỹ Tho'], ['28249', 'Phường Đạo Thạnh'], ['28273', 'Phường Mỹ Phong']]],
  ['86', 'Vĩnh Long', [['29641', 'Xã Cái Nhum'], ['29653', 'Xã Tân Long Hội'], ['29623', 'Xã Nhơn Phú']]],
  ['91', 'An Giang', [['30313', 'Xã Mỹ Hòa Hưng'], ['30307', 'Phường Long Xuyên'], ['30292', 'Phường Bình Đức']]],
  ['92', 'Thành phố Cần Thơ', [['31135', 'Phường Ninh Kiều'], ['31120', 'Phường Cái Khế'], ['31147', 'Phường Tân An']]],
  ['96', 'Cà Mau', [['32002', 'Phường An Xuyên'], ['32014', 'Phường Lý Văn Lâm'], ['32025', 'Phường Tân Thành']]],
]

export const PROVINCES: readonly Province[] = ROWS.map(([code, name, communes]) => ({
  code, name, communes: communes.map(([c, n]) => ({ code: c, name: n }))
}))

const BY_CODE = new Map(PROVINCES.map((p) => [p.code, p]))

/** The 2025 province with this code; throws for a code that is not one of the 34. */
export function province (code: string): Province {
  const p = BY_CODE.get(code)
  if (p === undefined) throw new Error(`Unknown 2025 province code ${code}`)
  return p
}

/** Legacy (63) province code → the 2025 province that absorbed it (domain.md §2.6). */
const MERGER = [
  '01:01 02:08 04:04 06:19 08:08 10:15 11:11 12:12 14:14 15:15 17:25 19:19 20:20 22:22 24:24 25:25',
  '26:25 27:24 30:31 31:31 33:33 34:33 35:37 36:37 37:37 38:38 40:40 42:42 44:44 45:44 46:46 48:48',
  '49:48 51:51 52:52 54:66 56:56 58:56 60:68 62:51 64:52 66:66 67:68 68:68 70:75 72:80 74:79 75:75',
  '77:79 79:79 80:80 82:82 83:86 84:86 86:86 87:82 89:91 91:91 92:92 93:92 94:92 95:96 96:96'
].join(' ')
export const CURRENT_PROVINCE_OF: ReadonlyMap<string, string> = new Map(
  MERGER.split(' ').map((pair) => pair.split(':') as [string, string])
)

/** The province's full title as used in addresses: `Thành phố Hà Nội`, `Tỉnh Cao Bằng`. */
export const provinceTitle = (p: Province): string => p.name.startsWith('Thành phố') ? p.name : `Tỉnh ${p.name}`

/** A province chosen mostly among Hà Nội and TP Hồ Chí Minh, else any of the 34. */
export function cityWeightedProvince (rng: { next (): number, pick<T> (items: readonly T[]): T }): Province {
  const r = rng.next()
  return r < 0.35 ? province('01') : r < 0.7 ? province('79') : rng.pick(PROVINCES)
}
