/** Portal dossier status (`TrangThaiHoSo` / `TrangThai`, domain.md §1.4). */
export enum TrangThaiHoSo {
  MoiDangKy = 1,
  DuocTiepNhan = 2,
  KhongDuocTiepNhan = 3,
  DangXuLy = 4,
  YeuCauBoSung = 5,
  YeuCauNghiaVuTaiChinh = 6,
  RutHoSo = 7,
  DungXuLy = 8,
  DaXuLyXong = 9,
  DaTraKetQua = 10
}

const S = TrangThaiHoSo

/**
 * Allowed transitions (domain.md §1.4, derived): 1→2|3; 2→4; 4→5|6|8|9; 5→4|8; 6→4|9; 9→10; and a
 * withdrawal (→7) from any status before the dossier is processed (9), except from a dossier that was not
 * accepted (3) or is already withdrawn. Staying in the same status (a content update, another step of the
 * same stage) is always allowed.
 */
const NEXT: Readonly<Record<number, readonly TrangThaiHoSo[]>> = {
  [S.MoiDangKy]: [S.DuocTiepNhan, S.KhongDuocTiepNhan, S.RutHoSo],
  [S.DuocTiepNhan]: [S.DangXuLy, S.RutHoSo],
  [S.KhongDuocTiepNhan]: [],
  [S.DangXuLy]: [S.YeuCauBoSung, S.YeuCauNghiaVuTaiChinh, S.DungXuLy, S.DaXuLyXong, S.RutHoSo],
  [S.YeuCauBoSung]: [S.DangXuLy, S.DungXuLy, S.RutHoSo],
  [S.YeuCauNghiaVuTaiChinh]: [S.DangXuLy, S.DaXuLyXong, S.RutHoSo],
  [S.RutHoSo]: [],
  [S.DungXuLy]: [S.RutHoSo],
  [S.DaXuLyXong]: [S.DaTraKetQua],
  [S.DaTraKetQua]: []
}

export const isStatus = (n: unknown): n is TrangThaiHoSo => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 10

/** Whether a dossier in status `from` may move to status `to`. */
export function canTransition (from: number, to: number): boolean {
  if (!isStatus(from) || !isStatus(to)) return false
  return from === to || NEXT[from].includes(to)
}

/** The statuses from which `to` may be reached (itself included), for the check done in SQL. */
export function allowedFrom (to: number): number[] {
  const out: number[] = []
  for (let from = 1; from <= 10; from++) if (canTransition(from, to)) out.push(from)
  return out
}
