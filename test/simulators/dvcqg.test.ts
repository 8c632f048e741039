import t from 'tap'
import { createDvcqgSimulator, DVCQG_DEFAULT_CREDENTIALS, DvcqgErrorCode as E } from '../../src/simulators/index.js'
import { dossier, step } from './fixtures/dvcqg.js'
import { get, listening, post, type Teardown } from './fixtures/helper.js'

const HEADERS = { dstcode: 'G22' }
const AGENCY = '000.00.01.H29'

async function portal (t: Teardown, opts: Parameters<typeof createDvcqgSimulator>[0] = {}) {
  const sim = await listening(t, createDvcqgSimulator(opts))
  const auth = async (body: unknown = DVCQG_DEFAULT_CREDENTIALS, headers: Record<string, string> = HEADERS) =>
    (await post(`${sim.url}/api/auth`, body, headers)).body
  const session = (await auth()).session as string
  const call = async (service: string, data: unknown[], extra: Record<string, unknown> = {}) =>
    (await post(`${sim.url}/api/integration`, { session, madonvi: AGENCY, service, data, ...extra }, HEADERS)).body
  return { sim, auth, session, call }
}

t.test('auth: session on good credentials, errors (HTTP 200) otherwise', async (t) => {
  const { auth, session } = await portal(t)
  t.match(session, /^[0-9a-f]{32}$/)
  t.match(await auth({ username: 'lienthong', password: 'nope' }), { error_code: E.AUTH_FAILED, message: String })
  t.match(await auth(DVCQG_DEFAULT_CREDENTIALS, {}), { error_code: E.DSTCODE_INVALID })
})

t.test('dossier sync, update, progress, and counting', async (t) => {
  const { sim, call } = await portal(t)
  const code = '000.00.01.H29-250715-0001'
  t.match(await call('DongBoHoSoMC', [dossier(code)], { isUpdating: false }), { error_code: 0, message: 'OK', result: [{ MaHoSo: code, error_code: 0 }] })
  t.match(await call('DongBoHoSoMC', [dossier(code)], { isUpdating: false }), { error_code: E.DOSSIER_EXISTS }, 'duplicate create')
  t.match(await call('DongBoHoSoMC', [dossier('X-404')], { isUpdating: 'True' }), { error_code: E.DOSSIER_NOT_FOUND }, 'update of unknown')
  t.match(await call('CapNhatTienDoHoSoMC', [step('X-404')]), { error_code: E.DOSSIER_NOT_FOUND }, 'progress of unknown')
  t.match(await call('DongBoHoSoMC', [dossier(code, { TrangThaiHoSo: '4' })], { isUpdating: 'True' }), { error_code: 0 })
  t.match(await call('DongBoHoSoMC', [dossier(code, { TrangThaiHoSo: '4' })], { isUpdating: true }), { error_code: 0 })
  t.match(await call('CapNhatTienDoHoSoMC', [step(code)]), { error_code: 0 })
  t.equal(sim.portal.countApplied(code), 3)
  t.same(sim.portal.appliedVersions(code).map((v) => v.count), [1, 2], 'the second version was applied twice')
  t.equal(sim.portal.countProgress(code), 1)
  t.match(sim.portal.duplicates(), [{ service: 'DongBoHoSoMC', maHoSo: code, count: 2 }])
  t.match(sim.portal.received(code).dossiers.map((d) => d.isUpdating), [false, true, true])
  const http = await get(`${sim.url}/_sim/received?maHoSo=${encodeURIComponent(code)}`)
  t.match(http.body, { counts: { dossiers: 3, progress: 1 }, versions: [{ count: 1 }, { count: 2 }] })
  t.equal(http.body.dossiers[0].data.MaHoSo, code)
  t.same((await get(`${sim.url}/_sim/received?maHoSo=nothing`)).body.counts, { dossiers: 0, progress: 0 })
})

t.test('validation errors are permanent and apply nothing', async (t) => {
  const { sim, call } = await portal(t)
  const bad = await call('DongBoHoSoMC', [dossier('A-1'), dossier('A-2', { NgayTiepNhan: '2025-07-15' })])
  t.match(bad, { error_code: E.VALIDATION_FAILED, message: /data\[1\]\.NgayTiepNhan/ })
  t.match(await call('DongBoHoSoMC', [dossier('A-1', { TrangThaiHoSo: '11' })]), { error_code: E.VALIDATION_FAILED })
  t.match(await call('CapNhatTienDoHoSoMC', [step('A-1', { ThoiDiemXuLy: undefined })]), { error_code: E.VALIDATION_FAILED })
  t.match(await call('DongBoHoSoMC', []), { error_code: E.VALIDATION_FAILED })
  t.match(await call('LayDanhSachTTHC', [{}]), { error_code: E.UNKNOWN_SERVICE })
  t.match(await call('DongBoHoSoMC', [dossier('A-1'), dossier('A-1')]), { error_code: E.DOSSIER_EXISTS }, 'same code twice in one batch')
  t.equal(sim.portal.store.size, 0)
})

t.test('sessions expire after the TTL, or on demand', async (t) => {
  let now = 1_000_000
  const { sim, auth, session, call } = await portal(t, { sessionTtlMs: 60_000, now: () => now })
  t.match(await call('DongBoHoSoMC', [dossier('S-1')]), { error_code: 0 })
  now += 60_001
  t.match(await call('DongBoHoSoMC', [dossier('S-2')]), { error_code: E.SESSION_INVALID })
  const fresh = (await auth()).session
  t.not(fresh, session)
  const send = async (s: string) => (await post(`${sim.url}/api/integration`, { session: s, madonvi: AGENCY, service: 'DongBoHoSoMC', data: [dossier('S-2')] }, HEADERS)).body
  t.match(await send(fresh), { error_code: 0 })
  await post(`${sim.url}/_sim/portal/expire-sessions`, {})
  t.match(await send(fresh), { error_code: E.SESSION_INVALID })
  t.match(await send('made-up'), { error_code: E.SESSION_INVALID })
})

t.test('forced error codes for the next N calls, then normal service', async (t) => {
  const { sim, call } = await portal(t)
  sim.portal.forceErrors(2)
  t.match(await call('DongBoHoSoMC', [dossier('F-1')]), { error_code: E.INTERNAL })
  t.match(await call('DongBoHoSoMC', [dossier('F-1')]), { error_code: E.INTERNAL })
  t.match(await call('DongBoHoSoMC', [dossier('F-1')]), { error_code: 0 })
  await post(`${sim.url}/_sim/portal/force-errors`, { count: 1, errorCode: E.SESSION_INVALID })
  t.match(await call('DongBoHoSoMC', [dossier('F-2')]), { error_code: E.SESSION_INVALID })
  t.equal(sim.portal.countApplied('F-1'), 1)
  const stats = (await get(`${sim.url}/_sim/portal/stats`)).body
  t.match(stats, { authCalls: 1, integrationCalls: 4, errors: { 99: 2, '-1': 1 } })
  t.throws(() => sim.portal.forceErrors(1, 0), RangeError)
})

t.test('shared faults apply to the portal too', async (t) => {
  const { sim, call } = await portal(t)
  sim.faults.set({ status: 502 })
  t.equal((await post(`${sim.url}/api/integration`, {}, HEADERS)).status, 502)
  sim.faults.set({ down: true })
  await t.rejects(call('DongBoHoSoMC', [dossier('D-1')]), { code: 'UND_ERR_SOCKET' })
  sim.faults.reset()
  t.match(await call('DongBoHoSoMC', [dossier('D-1')]), { error_code: 0 })
})
