import { portalTime } from '../../../connectors/dvcqg/mapping.js'
import { DvcqgErrorCode as E, fail, type DvcqgAnswer } from './codes.js'

/** A dossier as a citizen submits it online (what the simulated portal records; codes as the citizen chose). */
export interface OnlineSubmission {
  /** Dossier code; default: generated from the agency id and a daily sequence. */
  maHoSo?: string
  maTTHC: string
  tenTTHC: string
  maLinhVuc?: string
  /** Receiving agency (QCVN 102 id). */
  maCoQuan: string
  maTinh?: string
  maXa?: string
  /** Date the commune code refers to (yyyy-MM-dd), when the citizen's address predates the reform. */
  ngayMaXa?: string
  chuHoSo: string
  /** '1' person, '2' organisation. */
  loaiDoiTuong?: '1' | '2'
  /** PIN or tax code of the applicant. */
  soDinhDanh?: string
  soDienThoai?: string
  email?: string
  diaChi?: string
  trichYeu?: string
  hanTra?: string
  taiLieu?: Array<{ ten: string, ma?: string, duongDan?: string }>
}

/** One change of the feed, as the simulated `LayDanhSachThayDoiHoSo` answers it. */
export interface PortalChange {
  MaThayDoi: string
  LoaiThayDoi: 'NopTrucTuyen' | 'CapNhatTrangThai'
  ThoiDiem: string
  HoSo: Record<string, unknown>
}

const MAX_PAGE = 1000

/**
 * The portal's change feed (simulated): dossiers submitted online and status changes, each with a sequential
 * change id, read with `LayDanhSachThayDoiHoSo { SauMaThayDoi, SoLuong }` — "the changes after this one". The real
 * portal's sharing services are not public; this follows the envelope of its integration API (domain.md §1.3).
 */
export class PortalFeed {
  readonly #changes: PortalChange[] = []
  readonly #dossiers = new Map<string, Record<string, unknown>>()
  #sequence = 0

  get size (): number { return this.#changes.length }

  /** Records a dossier submitted online (status 1) and returns its change. */
  submitOnline (s: OnlineSubmission, at = new Date()): PortalChange {
    const code = s.maHoSo ?? `${s.maCoQuan}-${portalTime(at.toISOString()).slice(2, 8)}-${String(++this.#sequence % 10000).padStart(4, '0')}`
    const hoSo: Record<string, unknown> = {
      MaHoSo: code,
      MaTTHC: s.maTTHC,
      TenTTHC: s.tenTTHC,
      ...(s.maLinhVuc !== undefined ? { MaLinhVuc: s.maLinhVuc } : {}),
      MaCoQuan: s.maCoQuan,
      ...(s.maTinh !== undefined ? { MaTinh: s.maTinh } : {}),
      ...(s.maXa !== undefined ? { MaXa: s.maXa } : {}),
      ...(s.ngayMaXa !== undefined ? { NgayMaXa: s.ngayMaXa } : {}),
      ChuHoSo: s.chuHoSo,
      LoaiDoiTuong: s.loaiDoiTuong ?? '1',
      ...(s.soDinhDanh !== undefined ? { SoDinhDanh: s.soDinhDanh } : {}),
      ...(s.soDienThoai !== undefined ? { SoDienThoai: s.soDienThoai } : {}),
      ...(s.email !== undefined ? { Email: s.email } : {}),
      ...(s.diaChi !== undefined ? { DiaChi: s.diaChi } : {}),
      ...(s.trichYeu !== undefined ? { TrichYeuHoSo: s.trichYeu } : {}),
      NgayNop: portalTime(at.toISOString()),
      ...(s.hanTra !== undefined ? { NgayHenTra: portalTime(s.hanTra) } : {}),
      TrangThaiHoSo: '1',
      TaiLieuNop: (s.taiLieu ?? []).map((d) => ({ TenTepDinhKem: d.ten, ...(d.ma !== undefined ? { MaThanhPhanHoSo: d.ma } : {}), ...(d.duongDan !== undefined ? { DuongDanTaiTepTin: d.duongDan } : {}) }))
    }
    this.#dossiers.set(code, hoSo)
    return this.#add('NopTrucTuyen', hoSo, at)
  }

  /** Records a new status of a dossier submitted here; undefined for an unknown dossier. */
  changeStatus (maHoSo: string, status: number, note?: string, at = new Date()): PortalChange | undefined {
    const hoSo = this.#dossiers.get(maHoSo)
    if (hoSo === undefined) return undefined
    const previous = hoSo.TrangThaiHoSo
    hoSo.TrangThaiHoSo = String(status)
    const { TaiLieuNop: _docs, ChuHoSo: _name, SoDinhDanh: _id, SoDienThoai: _phone, Email: _email, DiaChi: _address, ...rest } = hoSo
    return this.#add('CapNhatTrangThai', { ...rest, TrangThaiTruoc: previous, ...(note !== undefined ? { GhiChu: note } : {}) }, at)
  }

  #add (kind: PortalChange['LoaiThayDoi'], hoSo: Record<string, unknown>, at: Date): PortalChange {
    const change = { MaThayDoi: String(this.#changes.length + 1), LoaiThayDoi: kind, ThoiDiem: portalTime(at.toISOString()), HoSo: structuredClone(hoSo) }
    this.#changes.push(change)
    return change
  }

  /** The changes after `after` (a change id; absent: from the first), at most `limit`. */
  changesAfter (after: number, limit: number): PortalChange[] {
    return this.#changes.slice(after, after + limit)
  }

  /** `LayDanhSachThayDoiHoSo`: the session is checked by the caller. */
  answer (body: Record<string, unknown>): DvcqgAnswer {
    const after = body.SauMaThayDoi === undefined || body.SauMaThayDoi === null ? '0' : body.SauMaThayDoi
    const limit = body.SoLuong ?? 100
    if (typeof after !== 'string' || !/^\d{1,12}$/.test(after)) return fail(E.VALIDATION_FAILED, 'SauMaThayDoi: expected a change id')
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) return fail(E.VALIDATION_FAILED, `SoLuong: 1 to ${MAX_PAGE}`)
    const result = this.changesAfter(Number(after), limit)
    return { error_code: E.OK, message: 'OK', service: 'LayDanhSachThayDoiHoSo', result, MaThayDoiCuoi: result.length > 0 ? result[result.length - 1].MaThayDoi : after }
  }

  clear (): void {
    this.#changes.length = 0
    this.#dossiers.clear()
  }
}
