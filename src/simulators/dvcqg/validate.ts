import { PROCEDURE_CODE } from '../../identifiers/index.js'

/** A problem with one item of `data`, e.g. `data[2].NgayTiepNhan: expected yyyyMMddHHmmss`. */
type Problem = string | undefined

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '' && v.length <= 200

/** `yyyyMMddHHmmss` (Asia/Ho_Chi_Minh local time) naming a real instant. */
export function isPortalTimestamp (v: unknown): boolean {
  if (typeof v !== 'string' || !/^\d{14}$/.test(v)) return false
  const [y, mo, d, h, mi, s] = [v.slice(0, 4), v.slice(4, 6), v.slice(6, 8), v.slice(8, 10), v.slice(10, 12), v.slice(12)].map(Number)
  const date = new Date(Date.UTC(y, mo - 1, d))
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60
}

/** A dossier status 1–10, as the portal's string ("4") or a number. */
export function isStatus (v: unknown): boolean {
  const n = typeof v === 'string' && /^\d{1,2}$/.test(v) ? Number(v) : v
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 10
}

function optionalTimestamps (item: Record<string, unknown>, fields: readonly string[]): Problem {
  for (const f of fields) {
    const v = item[f]
    if (v !== undefined && v !== null && v !== '' && !isPortalTimestamp(v)) return `${f}: expected yyyyMMddHHmmss`
  }
  return undefined
}

const LISTS = ['TaiLieuNop', 'DanhSachLePhi', 'DanhSachTepDinhKemKhac', 'DanhSachHoSoBoSung', 'DanhSachGiayToKetQua']

/** Checks one `HoSo` of `DongBoHoSoMC` (domain.md §1.3). */
export function dossierProblem (item: unknown): Problem {
  if (!isObject(item)) return 'expected an object'
  if (!nonEmpty(item.MaHoSo)) return 'MaHoSo: required'
  if (typeof item.MaTTHC !== 'string' || !PROCEDURE_CODE.test(item.MaTTHC)) return 'MaTTHC: expected a procedure code like 1.000894'
  if (!nonEmpty(item.TenTTHC)) return 'TenTTHC: required'
  if (!isStatus(item.TrangThaiHoSo)) return 'TrangThaiHoSo: expected "1".."10"'
  if (!isPortalTimestamp(item.NgayTiepNhan)) return 'NgayTiepNhan: expected yyyyMMddHHmmss'
  for (const list of LISTS) {
    if (item[list] !== undefined && item[list] !== null && !Array.isArray(item[list])) return `${list}: expected an array`
  }
  return optionalTimestamps(item, ['NgayHenTra', 'NgayTra', 'NgayKetThucXuLy'])
}

/** Checks one `TienDo` of `CapNhatTienDoHoSoMC` (domain.md §1.3). */
export function progressProblem (item: unknown): Problem {
  if (!isObject(item)) return 'expected an object'
  if (!nonEmpty(item.MaHoSo)) return 'MaHoSo: required'
  if (!isStatus(item.TrangThai)) return 'TrangThai: expected "1".."10"'
  if (!isPortalTimestamp(item.ThoiDiemXuLy)) return 'ThoiDiemXuLy: expected yyyyMMddHHmmss'
  return optionalTimestamps(item, ['NgayBatDau', 'NgayKetThucTheoQuyDinh'])
}

/** The first problem of a batch, prefixed with the item's index. */
export function batchProblem (data: readonly unknown[], check: (item: unknown) => Problem): Problem {
  for (let i = 0; i < data.length; i++) {
    const problem = check(data[i])
    if (problem !== undefined) return `data[${i}].${problem}`
  }
  return undefined
}

/** `isUpdating` as sent by portal clients: a boolean or "True"/"False" (OpenCPS); absent means false. */
export function parseIsUpdating (v: unknown): boolean | undefined {
  if (v === undefined || v === null) return false
  if (typeof v === 'boolean') return v
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true'
  return undefined
}
