import type { Prng } from './prng.js'

/** Family names with rough frequencies (Nguyễn is borne by about four in ten Vietnamese). */
const FAMILY: ReadonlyArray<[string, number]> = [
  ['Nguyễn', 38], ['Trần', 11], ['Lê', 9], ['Phạm', 7], ['Hoàng', 5], ['Huỳnh', 4], ['Phan', 4], ['Vũ', 4],
  ['Võ', 4], ['Đặng', 2], ['Bùi', 2], ['Đỗ', 2], ['Hồ', 2], ['Ngô', 2], ['Dương', 1], ['Lý', 1], ['Trương', 1],
  ['Đinh', 1], ['Mai', 1], ['Lâm', 1], ['Tô', 1], ['Trịnh', 1], ['Đoàn', 1], ['Lương', 1]
]
const FAMILY_TOTAL = FAMILY.reduce((sum, [, w]) => sum + w, 0)

const MIDDLE = {
  male: ['Văn', 'Hữu', 'Đức', 'Minh', 'Quang', 'Công', 'Thành', 'Xuân', 'Gia', 'Anh', 'Hoàng', 'Trọng'],
  female: ['Thị', 'Thị', 'Ngọc', 'Thu', 'Thanh', 'Mai', 'Kim', 'Phương', 'Bảo', 'Khánh', 'Hồng', 'Diệu']
} as const

const GIVEN = {
  male: ['Anh', 'Bình', 'Cường', 'Dũng', 'Đạt', 'Hùng', 'Hải', 'Hiếu', 'Huy', 'Khoa', 'Khang', 'Long', 'Minh',
    'Nam', 'Nghĩa', 'Phong', 'Phúc', 'Quân', 'Sơn', 'Tài', 'Thắng', 'Thịnh', 'Toàn', 'Trung', 'Tuấn', 'Việt',
    'Vinh', 'Bảo', 'Duy', 'Lâm'],
  female: ['Anh', 'Châu', 'Dung', 'Giang', 'Hà', 'Hạnh', 'Hoa', 'Hương', 'Lan', 'Linh', 'Mai', 'Nga', 'Ngọc',
    'Nhung', 'Oanh', 'Phương', 'Quỳnh', 'Thảo', 'Trang', 'Tuyết', 'Vy', 'Yến', 'Hằng', 'Huyền', 'Nhi', 'Thu']
} as const

export type Gender = 'male' | 'female'

function familyName (rng: Prng): string {
  let r = rng.int(1, FAMILY_TOTAL)
  for (const [name, weight] of FAMILY) {
    r -= weight
    if (r <= 0) return name
  }
  return FAMILY[0][0]
}

/** A Vietnamese full name: family name, middle name, given name (sometimes two middle names). */
export function personName (rng: Prng, gender: Gender): string {
  const parts = [familyName(rng), rng.pick(MIDDLE[gender])]
  if (rng.chance(0.15)) parts.push(rng.pick(MIDDLE[gender]))
  parts.push(rng.pick(GIVEN[gender]))
  return parts.join(' ')
}

const COMPANY_FORMS = ['Công ty TNHH', 'Công ty Cổ phần', 'Công ty TNHH Một thành viên', 'Doanh nghiệp tư nhân']
const SECTORS = ['Thương mại', 'Xây dựng', 'Dịch vụ', 'Công nghệ', 'Vận tải', 'Thực phẩm', 'Đầu tư', 'Sản xuất',
  'Du lịch', 'Bất động sản', 'Thương mại và Dịch vụ', 'Xuất nhập khẩu']
const BRANDS = ['Thành Công', 'Phát Đạt', 'Minh Long', 'An Khang', 'Sao Việt', 'Đại Dương', 'Hưng Thịnh',
  'Trường Sơn', 'Bình Minh', 'Hoàng Gia', 'Tân Tiến', 'Việt Tiến', 'Á Châu', 'Phú Quý', 'Kim Ngân', 'Hồng Hà',
  'Sông Đà', 'Nam Việt', 'Đông Á', 'Thái Bình Dương', 'Hòa Bình', 'Ánh Dương', 'Tràng An', 'Sài Gòn Xanh']

/** A plausible company name, e.g. `Công ty TNHH Thương mại Phát Đạt`. */
export const companyName = (rng: Prng): string =>
  `${rng.pick(COMPANY_FORMS)} ${rng.pick(SECTORS)} ${rng.pick(BRANDS)}`

const STREETS = ['Lê Lợi', 'Trần Hưng Đạo', 'Nguyễn Huệ', 'Hai Bà Trưng', 'Lý Thường Kiệt', 'Điện Biên Phủ',
  'Phan Chu Trinh', 'Quang Trung', 'Nguyễn Trãi', 'Lê Duẩn', 'Hoàng Văn Thụ', 'Cách Mạng Tháng Tám',
  'Nguyễn Thị Minh Khai', 'Võ Văn Tần', 'Láng Hạ', 'Kim Mã', 'Giải Phóng', 'Trường Chinh', 'Lê Văn Sỹ', 'Pasteur']

/** A street address detail, e.g. `Số 12 ngõ 34 đường Láng Hạ, Phường Láng`. */
export function streetAddress (rng: Prng, communeName: string): string {
  const lane = rng.chance(0.4) ? ` ngõ ${rng.int(1, 200)}` : ''
  return `Số ${rng.int(1, 300)}${lane} đường ${rng.pick(STREETS)}, ${communeName}`
}
