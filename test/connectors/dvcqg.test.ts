import t from 'tap'
import pino from 'pino'
import type { FastifyBaseLogger } from 'fastify'
import dvcqg, { itemHash } from '../../connectors/dvcqg/index.js'
import { portalTime, toHoSo, toTienDo } from '../../connectors/dvcqg/mapping.js'
import { ConnectorTypeRegistry } from '../../src/connectors/registry.js'
import { UpstreamFailure, type ConnectorType } from '../../src/connectors/contract.js'
import { ConnectorInstance } from '../../src/connectors/runtime/instance.js'
import { upstream } from '../helper.js'
import { dossier, dossierCode, portalInstance, startPortal, step } from '../deliveries/helper.js'

const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger
const type = dvcqg as unknown as ConnectorType

function instance (t: Tap.Test, url: string, config: Record<string, unknown> = {}): ConnectorInstance {
  const decl = portalInstance(url, config)
  const inst = new ConnectorInstance({ ...decl, version: 1 }, type, log)
  t.teardown(async () => { await inst.close() })
  return inst
}

const sync = (n: number, over: Record<string, unknown> = {}, flags: { exists?: boolean, inDoubt?: boolean } = {}) =>
  ({ kind: 'dossier', dossier: dossier(n, over), exists: flags.exists ?? false, inDoubt: flags.inDoubt ?? false })
const progress = (n: number, s: Record<string, unknown>, inDoubt = false) =>
  ({ kind: 'progress', dossierCode: dossierCode(n), step: s, inDoubt })
const call = { idempotent: false, log }

t.test('config schema: required fields, secrets and paths are checked', async (t) => {
  const registry = new ConnectorTypeRegistry()
  t.same(registry.validate('dvcqg', portalInstance('http://127.0.0.1:1').config), [])
  const { password, ...noPassword } = portalInstance('http://127.0.0.1:1').config
  t.match(registry.validate('dvcqg', noPassword), [{ path: '/config/password' }])
  t.match(registry.validate('dvcqg', { ...noPassword, password, baseUrl: 'ftp://x' }), [{ path: '/config/baseUrl' }])
  t.match(registry.validate('dvcqg', { ...noPassword, password, paths: { auth: 'no-slash' } }), [{ path: '/config/paths/auth' }])
  t.same(type.secretFields, ['/password'])
})

t.test('mapping: English dossier JSON → HoSo / TienDo, dates as yyyyMMddHHmmss in Asia/Ho_Chi_Minh', async (t) => {
  t.equal(portalTime('2025-07-15T01:30:00Z'), '20250715083000')
  t.equal(portalTime('2025-12-31T20:00:05.900Z'), '20260101030005', 'crosses midnight and the year in Vietnam')
  t.equal(portalTime('2025-07-15T08:30:00+07:00'), '20250715083000')
  t.equal(portalTime(undefined), '')
  const opts = { applicantTypes: { person: '1', organisation: '2' } }
  const hoSo = toHoSo(dossier(1, { resultAt: '2025-07-18T10:00:00+07:00' }), opts)
  t.match(hoSo, {
    MaHoSo: dossierCode(1),
    MaTTHC: '1.000894',
    TenTTHC: 'Đăng ký kết hôn',
    MaLinhVuc: 'G09-HT01',
    ChuHoSo: 'Nguyễn Văn An',
    LoaiDoiTuong: '1',
    MaDoiTuong: '001090012345',
    NgayTiepNhan: '20250715083000',
    NgayHenTra: '20250718170000',
    NgayTra: '20250718100000',
    NgayKetThucXuLy: '',
    TrangThaiHoSo: '2',
    DonViXuLy: '000.00.01.H22',
    TaiLieuNop: [{ TepDinhKemId: 'f-1', TenTepDinhKem: 'Tờ khai đăng ký kết hôn', IsDeleted: 'False', MaThanhPhanHoSo: 'TP1' }],
    DanhSachLePhi: [{ TenPhiLePhi: 'Lệ phí đăng ký kết hôn', MaPhiLePhi: 'LP1', Gia: 0 }]
  })
  const business = toHoSo(dossier(2, { applicant: { name: 'Công ty A', taxCode: '0100109106' } }), opts)
  t.equal(business.LoaiDoiTuong, '2')
  t.equal(business.MaDoiTuong, '0100109106')
  t.same(toTienDo(dossierCode(1), step(4, { startedAt: '2025-07-15T09:00:00+07:00' })), {
    MaHoSo: dossierCode(1),
    NguoiXuLy: 'Trần Thị Bình',
    ChucDanh: 'Công chức tư pháp - hộ tịch',
    ThoiDiemXuLy: '20250715090000',
    PhongBanXuLy: 'Bộ phận một cửa',
    NoiDungXuLy: 'Chuyển trạng thái 4',
    TrangThai: '4',
    NgayBatDau: '20250715090000',
    NgayKetThucTheoQuyDinh: ''
  })
  t.equal(itemHash({ a: 1, b: [2] }), itemHash({ b: [2], a: 1 }), 'hash ignores key order')
})

t.test('envelope, dstcode header and the login body on the wire', async (t) => {
  const seen: Array<{ url: string, dstcode: unknown, body: Record<string, unknown> }> = []
  const url = await upstream(t, (app) => {
    app.post('/portal/api/auth', async (req) => {
      seen.push({ url: req.url, dstcode: req.headers.dstcode, body: req.body as Record<string, unknown> })
      return { session: 'S1', error_code: 0 }
    })
    app.post('/portal/api/integration', async (req) => {
      seen.push({ url: req.url, dstcode: req.headers.dstcode, body: req.body as Record<string, unknown> })
      return { error_code: '00', result: [] }
    })
  })
  const inst = instance(t, `${url}/portal`)
  t.match(await inst.deliver('dossier.sync', sync(1), call), { applied: 'sent' })
  t.match(await inst.deliver('dossier.progress', progress(1, step(4)), call), { applied: 'sent' })
  t.same(seen.map((s) => s.url), ['/portal/api/auth', '/portal/api/integration', '/portal/api/integration'])
  t.ok(seen.every((s) => s.dstcode === 'G22'))
  t.same(seen[0].body, { username: 'lienthong', password: 'lienthong-sim' })
  t.match(seen[1].body, { session: 'S1', madonvi: '000.00.01.H22', service: 'DongBoHoSoMC', isUpdating: 'False', data: [{ MaHoSo: dossierCode(1) }] })
  t.match(seen[2].body, { session: 'S1', madonvi: '000.00.01.H22', service: 'CapNhatTienDoHoSoMC', data: [{ MaHoSo: dossierCode(1), TrangThai: '4' }] })
})

t.test('the session is cached, renewed on "invalid session" and after its TTL', async (t) => {
  const sim = await startPortal(t)
  const inst = instance(t, sim.url)
  for (let n = 1; n <= 10; n++) await inst.deliver('dossier.sync', sync(n), call)
  t.equal(sim.portal.stats().authCalls, 1, 'one login for ten calls')
  sim.portal.expireSessions()
  t.match(await inst.deliver('dossier.progress', progress(1, step(4)), call), { applied: 'sent' }, 'expired session: login again, no failure')
  t.equal(sim.portal.stats().authCalls, 2)
  t.equal(sim.portal.stats().errors['-1'], 1)

  const short = instance(t, sim.url, { sessionTtlMs: 1000 })
  await short.deliver('dossier.progress', progress(1, step(4, { note: 'a' })), call)
  await new Promise((resolve) => setTimeout(resolve, 1100))
  await short.deliver('dossier.progress', progress(1, step(4, { note: 'b' })), call)
  t.equal(sim.portal.stats().authCalls, 4, 'renewed before the portal expires it')
})

t.test('error_code: retryable and permanent; wrong credentials are permanent', async (t) => {
  const sim = await startPortal(t)
  const inst = instance(t, sim.url)
  sim.portal.forceErrors(1, 99)
  const internal = await inst.deliver('dossier.sync', sync(1), call).catch((e: unknown) => e)
  t.ok(internal instanceof UpstreamFailure)
  t.match(internal, { kind: 'error', retryable: true, upstreamCode: '99' })
  sim.portal.forceErrors(1, 1)
  t.match(await inst.deliver('dossier.sync', sync(1), call).catch((e: unknown) => e), { kind: 'rejected', retryable: false, upstreamCode: '1' })
  sim.portal.forceErrors(1, 12345)
  t.match(await inst.deliver('dossier.sync', sync(1), call).catch((e: unknown) => e), { retryable: true, upstreamCode: '12345' }, 'unknown codes are retried')
  t.match(await inst.deliver('dossier.progress', progress(7, step(4)), call).catch((e: unknown) => e), { retryable: false, upstreamCode: '2' }, 'step of a dossier the portal lacks')
  const wrong = instance(t, sim.url, { password: 'wrong-password' })
  t.match(await wrong.deliver('dossier.sync', sync(2), call).catch((e: unknown) => e), { kind: 'rejected', retryable: false, upstreamCode: '4' })
  t.equal(sim.portal.countApplied(dossierCode(1)), 0)
})

t.test('isUpdating when the portal already holds the dossier; a doubtful resend is not applied twice', async (t) => {
  const sim = await startPortal(t)
  const inst = instance(t, sim.url)
  await inst.deliver('dossier.sync', sync(1), call)
  t.match(await inst.deliver('dossier.sync', sync(1, { status: 4 }), call), { applied: 'sent', isUpdating: true }, 'created elsewhere → update')
  t.match(await inst.deliver('dossier.sync', sync(1, { status: 4 }, { inDoubt: true }), call), { applied: 'already' }, 'doubtful resend of the held version')
  t.match(await inst.deliver('dossier.sync', sync(1, { status: 5 }, { exists: true, inDoubt: true }), call), { applied: 'sent' }, 'doubtful, not applied → sent')
  await inst.deliver('dossier.progress', progress(1, step(5)), call)
  t.match(await inst.deliver('dossier.progress', progress(1, step(5), true), call), { applied: 'already' })
  t.same(sim.portal.duplicates(), [])
  t.same(sim.portal.appliedVersions(dossierCode(1)).map((v) => v.count), [1, 1, 1])

  const noLookup = instance(t, sim.url, { lookupService: '' })
  await noLookup.deliver('dossier.sync', sync(2), call)
  t.match(await noLookup.deliver('dossier.sync', sync(2, {}, { inDoubt: true }), call), { applied: 'already' }, 'without a lookup: "exists" answers a doubtful create')
  t.equal(sim.portal.countApplied(dossierCode(2)), 1)
})
