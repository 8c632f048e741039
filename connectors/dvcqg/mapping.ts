/**
 * The gateway's dossier JSON (English field names, schemas/dossier.sync.request.json and
 * dossier.progress.request.json) mapped to the portal's `HoSo` and `TienDo` objects (domain.md §1.3).
 * Pure functions: the same input always gives the same item, so a resend can be compared with what the
 * portal holds.
 */

type Json = Record<string, unknown>

export interface MappingOptions {
  /** `LoaiDoiTuong` of a person and of an organisation (map per target: OpenCPS uses "1" / "2"). */
  applicantTypes: { person: string, organisation: string }
  /** Base URL of submitted files (`DuongDanTaiTepTin` = base + fileId); empty when not configured. */
  fileUrlBase?: string
}

/** Vietnam has used UTC+7 without daylight saving time since 1975: Asia/Ho_Chi_Minh is a fixed offset. */
const HCM_OFFSET_MS = 7 * 3600 * 1000
const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** An RFC 3339 date-time as the portal's `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh; '' when absent. */
export function portalTime (iso: unknown): string {
  if (typeof iso !== 'string' || iso === '') return ''
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) throw new RangeError(`not a date-time: ${iso}`)
  const d = new Date(ms + HCM_OFFSET_MS)
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`
}

const text = (v: unknown): string => typeof v === 'string' ? v : ''

/** The national procedure code (`d.dddddd`) of a national or locally published procedure code. */
export const nationalProcedureCode = (code: string): string => /^\d\.\d{6}/.exec(code)?.[0] ?? code

/** `HoSo` of `DongBoHoSoMC`. */
export function toHoSo (dossier: Json, opts: MappingOptions): Json {
  const applicant = (dossier.applicant ?? {}) as Json
  const isPerson = typeof applicant.personalId === 'string' || typeof applicant.taxCode !== 'string'
  const documents = (dossier.documents ?? []) as Json[]
  const fees = (dossier.fees ?? []) as Json[]
  const base = opts.fileUrlBase ?? ''
  return {
    MaHoSo: dossier.code,
    MaTTHC: nationalProcedureCode(text(dossier.procedureCode)),
    TenTTHC: text(dossier.procedureName),
    MaLinhVuc: text(dossier.fieldCode),
    TenLinhVuc: text(dossier.fieldName),
    SoBienNhan: text(dossier.code),
    ChuHoSo: text(applicant.name),
    LoaiDoiTuong: isPerson ? opts.applicantTypes.person : opts.applicantTypes.organisation,
    MaDoiTuong: text(applicant.personalId) !== '' ? text(applicant.personalId) : text(applicant.taxCode),
    ThongTinKhac: text(applicant.address),
    Email: text(applicant.email),
    Fax: '',
    SoDienThoai: text(applicant.phone),
    TrichYeuHoSo: text(dossier.summary) !== '' ? text(dossier.summary) : text(dossier.procedureName),
    NgayTiepNhan: portalTime(dossier.receivedAt),
    NgayHenTra: portalTime(dossier.dueAt),
    NgayTra: portalTime(dossier.resultAt),
    NgayKetThucXuLy: portalTime(dossier.completedAt),
    TrangThaiHoSo: String(dossier.status),
    ThongTinTra: '',
    HinhThuc: dossier.channel === 3 ? '1' : '0',
    DonViXuLy: text(dossier.agencyCode),
    GhiChu: text(dossier.note),
    TaiLieuNop: documents.map((doc) => ({
      TepDinhKemId: text(doc.fileId),
      TenTepDinhKem: text(doc.name),
      IsDeleted: 'False',
      MaThanhPhanHoSo: text(doc.code),
      DuongDanTaiTepTin: base !== '' && text(doc.fileId) !== '' ? `${base.replace(/\/$/, '')}/${encodeURIComponent(text(doc.fileId))}` : ''
    })),
    DanhSachLePhi: fees.map((fee) => ({
      TenPhiLePhi: text(fee.name),
      MaPhiLePhi: text(fee.code),
      HinhThucThu: '1',
      Gia: fee.amount,
      LoaiPhiLePhi: '1'
    })),
    DanhSachTepDinhKemKhac: [],
    DanhSachHoSoBoSung: [],
    DanhSachGiayToKetQua: [],
    // a sub-procedure of an interlinked dossier names its parent (only then: other items keep their hash)
    ...(text(dossier.parentCode) !== '' ? { MaHoSoLienThong: text(dossier.parentCode) } : {})
  }
}

/** `TienDo` of `CapNhatTienDoHoSoMC`. */
export function toTienDo (dossierCode: string, step: Json): Json {
  return {
    MaHoSo: dossierCode,
    NguoiXuLy: text(step.handler),
    ChucDanh: text(step.role),
    ThoiDiemXuLy: portalTime(step.at),
    PhongBanXuLy: text(step.department),
    NoiDungXuLy: text(step.note),
    TrangThai: String(step.status),
    NgayBatDau: portalTime(step.startedAt),
    NgayKetThucTheoQuyDinh: portalTime(step.dueAt)
  }
}
