import type { FeedEvent } from '../../src/connectors/contract.js'

type Json = Record<string, unknown>

const text = (v: unknown): string | undefined => typeof v === 'string' && v !== '' ? v : undefined

/** The portal's `yyyyMMddHHmmss` (Asia/Ho_Chi_Minh) as RFC 3339; undefined when absent or malformed. */
export function fromPortalTime (v: unknown): string | undefined {
  const m = typeof v === 'string' ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(v) : null
  return m === null ? undefined : `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+07:00`
}

const status = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,2}$/.test(v) ? Number(v) : NaN
  return Number.isInteger(n) && n >= 1 && n <= 10 ? n : undefined
}

/** Only the members that have a value (the event schemas have no nulls). */
const present = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

function location (h: Json): Json {
  return present({ provinceCode: text(h.MaTinh), communeCode: text(h.MaXa), asOf: text(h.NgayMaXa) })
}

function applicant (h: Json): Json {
  const organisation = h.LoaiDoiTuong === '2'
  const id = text(h.SoDinhDanh)
  return present({
    kind: organisation ? 'organisation' : 'person',
    name: text(h.ChuHoSo),
    personalId: !organisation && id !== undefined && /^\d{12}$/.test(id) ? id : undefined,
    taxCode: organisation ? id : undefined,
    phone: text(h.SoDienThoai),
    email: text(h.Email),
    address: text(h.DiaChi)
  })
}

/**
 * One change of the portal's feed (`LayDanhSachThayDoiHoSo`) in the gateway's canonical form: an online submission
 * → `dossier.submitted-online`, a new status → `dossier.status-changed`. A kind of change this mapping does not
 * know becomes an event of an unknown type, which the gateway refuses and reports (never silently dropped).
 */
export function toFeedEvent (change: Json): FeedEvent {
  const h = (typeof change.HoSo === 'object' && change.HoSo !== null ? change.HoSo : {}) as Json
  const at = fromPortalTime(change.ThoiDiem) ?? ''
  const common = { sourceEventId: String(change.MaThayDoi), occurredAt: at }
  if (change.LoaiThayDoi === 'NopTrucTuyen') {
    const docs = Array.isArray(h.TaiLieuNop) ? h.TaiLieuNop as Json[] : []
    return {
      ...common,
      type: 'dossier.submitted-online',
      data: present({
        dossierCode: text(h.MaHoSo),
        procedureCode: text(h.MaTTHC),
        procedureName: text(h.TenTTHC),
        fieldCode: text(h.MaLinhVuc),
        agencyId: text(h.MaCoQuan),
        submittedAt: fromPortalTime(h.NgayNop) ?? at,
        dueAt: fromPortalTime(h.NgayHenTra),
        status: status(h.TrangThaiHoSo),
        applicant: applicant(h),
        location: location(h),
        summary: text(h.TrichYeuHoSo),
        documents: docs.map((d) => present({ name: text(d.TenTepDinhKem), code: text(d.MaThanhPhanHoSo), url: text(d.DuongDanTaiTepTin) }))
      })
    }
  }
  if (change.LoaiThayDoi === 'CapNhatTrangThai') {
    return {
      ...common,
      type: 'dossier.status-changed',
      data: present({
        dossierCode: text(h.MaHoSo),
        procedureCode: text(h.MaTTHC),
        agencyId: text(h.MaCoQuan),
        status: status(h.TrangThaiHoSo),
        previousStatus: status(h.TrangThaiTruoc),
        changedAt: at,
        note: text(h.GhiChu),
        location: location(h)
      })
    }
  }
  return { ...common, type: `dvcqg.${String(change.LoaiThayDoi)}`, data: {} }
}
