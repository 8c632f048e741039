import t from 'tap'
import { buildApp } from '../../src/app.js'
import { build, testConfig } from '../helper.js'
import { startPortal, waitFor } from '../deliveries/helper.js'
import { createCitizenSimulator } from '../../src/simulators/index.js'
import { EVENTS_ENV, parties, populationFeedInstance, portalFeedInstance, submission, subscribe, subscriber } from './helper.js'

// several gateways start per test; on a loaded machine that takes a while
t.setTimeout(300_000)

t.test('an event about an old commune of a merged province reaches today\'s province and commune, with both codes', async (t) => {
  const portal = await startPortal(t)
  const app = await build(t, { connectors: [portalFeedInstance(portal.url)], workers: true, env: EVENTS_ENV })
  const { admin, clientId } = await parties(app)
  const province = await subscriber(t)
  const commune = await subscriber(t)
  const elsewhere = await subscriber(t)

  // Hà Giang (02) merged into Tuyên Quang (08) on 2025-07-01; its Phường Ngọc Hà (00692) is part of Phường Hà Giang 2 (00691).
  const refused = await subscribe(app, admin, { clientId, eventTypes: ['dossier.submitted-online'], filter: { provinces: ['02'], communes: ['00692'] }, callbackUrl: province.url, purpose: 'x' })
  t.equal(refused.statusCode, 400, 'a filter in old codes is refused')
  t.match(refused.json(), {
    code: 'VALIDATION_FAILED',
    errors: [
      { path: '/filter/provinces/0', message: /02 is not a province code today \(it was .*Hà Giang.*today: 08\)/ },
      { path: '/filter/communes/0', message: /00692 is not a commune code today .*today: 00691/ }
    ]
  })
  for (const [sub, filter] of [[province, { provinces: ['08'] }], [commune, { communes: ['00691'] }], [elsewhere, { communes: ['02269'] }]] as const) {
    t.equal((await subscribe(app, admin, { clientId, eventTypes: ['dossier.submitted-online'], filter, callbackUrl: sub.url, purpose: 'Tiếp nhận hồ sơ' })).statusCode, 201)
  }

  portal.portal.feed.submitOnline(submission(7, { maTinh: '02', maXa: '00692', diaChi: 'Tổ 5, phường Ngọc Hà, thành phố Hà Giang' }))
  await waitFor(() => province.received.length >= 1 && commune.received.length >= 1, 20_000, 'both subscribers')
  await app.events.pullers?.drain()
  for (const sub of [province, commune]) {
    const [event] = sub.events()
    t.match(event.units, [{ role: 'addressed', status: 'resolved', provinceCode: '08', communeCode: '00691', translated: true, original: { provinceCode: '02', communeCode: '00692' } }])
    t.match(event.data.location, { provinceCode: '02', communeCode: '00692' }, 'the data keeps the source\'s codes')
  }
  t.equal(elsewhere.received.length, 0, 'another commune of the same province is not told')
})

t.test('population events go to the provinces of residence: a death to one, a move to both', async (t) => {
  const citizen = createCitizenSimulator()
  await citizen.listen(0)
  t.teardown(async () => { await citizen.close() })
  const app = await build(t, { connectors: [populationFeedInstance(citizen.url as string)], workers: true, env: EVENTS_ENV })
  const { admin, clientId } = await parties(app)
  const living = citizen.citizens.filter((c) => c.status === 'alive')
  const a = living.find((c) => c.permanentAddress.provinceCode === '01') ?? living[0]
  const b = living.find((c) => c.permanentAddress.provinceCode === '79') ?? living[1]
  const hanoi = await subscriber(t)
  const hcmc = await subscriber(t)
  for (const [sub, p] of [[hanoi, '01'], [hcmc, '79']] as const) {
    const res = await subscribe(app, admin, { clientId, eventTypes: ['citizen.death-recorded', 'citizen.residence-changed'], filter: { provinces: [p] }, callbackUrl: sub.url, purpose: 'Chi trả trợ cấp xã hội (social allowances)' })
    t.equal(res.statusCode, 201, res.body)
  }
  citizen.feed.recordDeath(a.personalId, '2026-12-01', 'TLKT-0001')
  citizen.feed.moveResidence(b.personalId, { provinceCode: '01', communeCode: '00070' }, '2026-12-02')
  await waitFor(() => hanoi.received.length >= 2 && hcmc.received.length >= 1, 20_000, 'the population events')
  t.match(hanoi.events().sort((a, b) => a.type.localeCompare(b.type)), [
    { type: 'citizen.death-recorded', data: { personalId: a.personalId, dateOfDeath: '2026-12-01', deathRegistrationNo: 'TLKT-0001' }, units: [{ role: 'residence', provinceCode: '01' }] },
    { type: 'citizen.residence-changed', data: { personalId: b.personalId, kind: 'permanent' }, units: [{ role: 'from', provinceCode: '79' }, { role: 'to', provinceCode: '01', communeCode: '00070' }] }
  ])
  t.match(hcmc.events(), [{ type: 'citizen.residence-changed', data: { personalId: b.personalId } }])
  const lookup = await citizen.app.inject({ method: 'POST', url: '/api/citizens/lookup', payload: { personalId: a.personalId } })
  t.equal(lookup.json().status, 'deceased', 'the population database holds the death too')
})

t.test('admin-unit.changed: the code tables\' changes since EVENTS_ADMIN_UNITS_SINCE, to the province\'s subscribers', async (t) => {
  const config = await testConfig(t, { ...EVENTS_ENV, EVENTS_ADMIN_UNITS_SINCE: '2026-01-01' })
  // subscribed first, on a gateway that pulls nothing (no workers); then the gateway with workers starts
  const first = await buildApp(config, { workers: false })
  await first.ready()
  const { admin, clientId } = await parties(first)
  const dongNai = await subscriber(t)
  const hanoi = await subscriber(t)
  t.equal((await subscribe(first, admin, { clientId, eventTypes: ['admin-unit.changed'], filter: { provinces: ['75'] }, callbackUrl: dongNai.url, purpose: 'Đồng bộ danh mục đơn vị hành chính' })).statusCode, 201)
  t.equal((await subscribe(first, admin, { clientId, eventTypes: ['admin-unit.changed'], filter: { provinces: ['01'] }, callbackUrl: hanoi.url, purpose: 'Đồng bộ danh mục đơn vị hành chính' })).statusCode, 201)
  await first.close()

  const app = await build(t, { config, workers: true })
  // at least once: a send that timed out on a loaded machine may be repeated, under the same event id
  const distinct = (): number => new Set(dongNai.events().map((e) => e.id)).size
  await waitFor(() => distinct() === 11, 60_000, 'the changes of 2026-04-30')
  const province = dongNai.events().find((e) => e.data.level === 'province')
  t.match(province, { data: { code: '75', change: 'changed', effectiveFrom: '2026-04-30', before: { type: 'tinh' }, after: { type: 'thanh-pho' } }, units: [{ role: 'unit', provinceCode: '75' }] })
  t.equal(hanoi.received.length, 0)
  await app.events.pullers?.drain()
  t.equal(distinct(), 11, 'pulled again: nothing new')
})
