/// <reference lib="dom" />
import t from 'tap'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import type { Page } from 'playwright-core'
import { request } from 'undici'
import { sampleIds } from '../../src/simulators/index.js'
import { todayInVietnam } from '../../src/admin-units/index.js'
import { dossier, dossierCode, statusCounts, waitFor } from '../deliveries/helper.js'
import { axeProblems, browser, chromiumMissing } from './browser.js'
import { consoleGateway, PEOPLE } from './gateway.js'

t.setTimeout(600_000)

// Where the pages' screenshots go: docs/console/ when CONSOLE_SCREENSHOTS_DIR names it (README § Console).
const SHOTS = process.env.CONSOLE_SCREENSHOTS_DIR ?? join(tmpdir(), 'lienthong-console-shots')
const PIN = sampleIds()['citizen.lookup'][0].personalId
const [admin, auditor] = PEOPLE

const plain = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase()

/** Presses Tab until the focused element matches (at most `max` times); false when it never does. */
async function tabTo (page: Page, test: string, max = 60): Promise<boolean> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) === true, test)) return true
    await page.keyboard.press('Tab')
  }
  return false
}

t.test('admins and auditors do their work in the console, by mouse and by keyboard', { skip: chromiumMissing() }, async (t) => {
  await mkdir(SHOTS, { recursive: true })
  const gw = await consoleGateway(t, { accessTokenTtl: 40 })
  const { app, url } = gw
  const { context, watched } = await browser(t, url)
  const page = await context.newPage()
  const axeAndShoot = async (name: string): Promise<void> => {
    t.same(await axeProblems(page), [], `axe-core: no serious or critical violation on ${name}`)
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
  }

  // ── an admin signs in through the identity provider
  await page.goto(`${url}/console/`)
  await page.getByRole('heading', { name: 'Đăng nhập', exact: true }).waitFor()
  await axeAndShoot('sign-in')
  await page.getByRole('link', { name: 'Đăng nhập bằng nhà cung cấp định danh' }).click()
  await page.getByLabel('Tên đăng nhập (Username)').fill(admin.username)
  await page.getByLabel('Mật khẩu (Password)').fill(admin.password)
  await page.getByRole('button', { name: 'Đăng nhập (Sign in)' }).click()
  await page.getByRole('heading', { name: 'Tổng quan' }).waitFor()
  t.ok(await page.getByText('Nguyễn Quản Trị').isVisible(), 'the person is named in the header')

  // ── creates a client: the secret shown once, with a copy button
  await page.getByRole('navigation').getByRole('link', { name: 'Hệ thống kết nối' }).click()
  await page.getByRole('heading', { name: 'Hệ thống kết nối (client)' }).waitFor()
  await page.getByRole('button', { name: 'Thêm hệ thống' }).click()
  await page.getByLabel('Mã hệ thống').fill('so-tp-79')
  await page.getByRole('textbox', { name: 'Tên', exact: true }).fill('Sở Tư pháp TP Hồ Chí Minh')
  await page.getByRole('checkbox', { name: 'citizen.lookup' }).check()
  await page.getByRole('checkbox', { name: 'dossier.sync' }).check()
  // the lookup only for one procedure; the dossiers of one agency (issue 22)
  await page.getByLabel('Mục đích được phép cho citizen.lookup').fill('1.000894')
  await page.getByLabel('Cơ quan mà hệ thống đại diện').fill('000.00.01.H22')
  await page.getByRole('button', { name: 'Lưu' }).click()
  await page.getByText('Khóa bí mật của so-tp-79 chỉ hiển thị một lần').waitFor()
  t.match(await app.clients.get('so-tp-79'), { grants: [{ service: 'citizen.lookup', purposes: ['1.000894'] }, 'dossier.sync'], agencies: ['000.00.01.H22'] }, 'with its purposes and agencies')
  const secret = (await page.locator('.secret-value').textContent()) ?? ''
  t.match(secret, /^\S{20,}$/, 'the secret is shown')
  t.ok(await page.getByRole('button', { name: 'Sao chép' }).isVisible(), 'with a copy button')
  await page.getByRole('button', { name: 'Tôi đã lưu khóa bí mật' }).click()
  t.equal(await page.locator('.secret-value').count(), 0, 'and gone once saved')
  await page.getByRole('row', { name: /so-tp-79/ }).getByText('citizen.lookup (1.000894), dossier.sync').waitFor()
  t.ok(await page.getByRole('row', { name: /so-tp-79/ }).getByText('000.00.01.H22').isVisible(), 'the list shows the purposes and agencies')
  await axeAndShoot('clients')

  // ── the session expires while a form is filled: sign in again in a small window, nothing typed is lost
  await page.getByRole('button', { name: 'Thêm hệ thống' }).click()
  await page.getByLabel('Mã hệ thống').fill('so-tn-01')
  await page.getByRole('textbox', { name: 'Tên', exact: true }).fill('Sở Tài nguyên Hà Nội')
  const sessionKeys = await app.redis.client.keys(`${app.config.queuePrefix}:console:session:*`)
  t.ok(sessionKeys.length > 0)
  await app.redis.client.del(...sessionKeys)
  await page.getByRole('button', { name: 'Lưu' }).click()
  await page.getByRole('heading', { name: 'Phiên làm việc đã hết hạn' }).waitFor()
  const popupOpened = page.waitForEvent('popup')
  await page.getByRole('button', { name: 'Đăng nhập lại' }).click()
  const popup = await popupOpened
  // the provider still knows the person: it answers at once, the window says so and closes
  await popup.waitForEvent('close', { timeout: 30_000 })
  await page.getByText('Khóa bí mật của so-tn-01 chỉ hiển thị một lần').waitFor()
  t.ok(await app.clients.get('so-tn-01'), 'the call made before the expiry went through after signing in again')
  // the expired session's one refused call is the browser's only network error of the whole test (expected here)
  const refusedCall = watched.errors.filter((e) => /status of 401 .*\/v1\/admin\/clients$/.test(e))
  t.equal(refusedCall.length, 1, 'the call refused for the expired session was made once')
  watched.errors.splice(0, watched.errors.length, ...watched.errors.filter((e) => !refusedCall.includes(e)))
  await page.getByRole('button', { name: 'Tôi đã lưu khóa bí mật' }).click()

  // ── creates a connector through the form generated from its type's JSON Schema; a bad value shows on its field
  const province = app.adminUnits.provinces().find((p) => p.code !== '01' && p.code !== '79')
  if (province === undefined) throw new Error('no province to route')
  await page.getByRole('navigation').getByRole('link', { name: 'Bộ kết nối' }).click()
  await page.getByRole('heading', { name: 'Bộ kết nối' }).waitFor()
  await page.getByRole('link', { name: 'Thêm bộ kết nối' }).click()
  await page.getByLabel('Mã bộ kết nối').fill('land-extra')
  await page.getByLabel('Loại').selectOption('rest-json')
  await page.getByRole('checkbox', { name: 'land.parcel.lookup' }).check()
  await page.getByRole('checkbox', { name: 'Mọi tỉnh, thành phố' }).uncheck()
  await page.getByRole('checkbox', { name: new RegExp(`^${province.code} `) }).check()
  const baseUrl = page.getByLabel('Địa chỉ gốc (baseUrl)')
  await baseUrl.fill('not a url')
  await page.getByLabel('Khóa mới cho Thao tác theo dịch vụ (operations)').fill('land.parcel.lookup')
  await page.getByRole('button', { name: 'Thêm mục' }).click()
  await page.getByLabel('Đường dẫn (path)').fill('/api/parcels/lookup')
  await page.getByRole('button', { name: 'Lưu' }).click()
  await page.getByText('Phải là một địa chỉ URL đầy đủ').waitFor()
  t.equal(await baseUrl.getAttribute('aria-invalid'), 'true', 'the bad value is marked on its field')
  t.ok(await baseUrl.evaluate((el) => el === document.activeElement), 'and the field takes the focus')
  t.equal(await app.connectors.store.get('land-extra'), undefined, 'nothing was saved')
  await axeAndShoot('connector-error')
  await baseUrl.fill(gw.sims.urls['land-79'])
  await page.getByRole('button', { name: 'Lưu' }).click()
  await page.getByText('Đã lưu.').or(page.getByRole('alert')).first().waitFor()
  t.equal(await page.getByRole('alert').count(), 0, `saved without error ${await page.getByRole('alert').allTextContents().then((x) => x.join(' '))}`)
  await page.waitForURL('**/console/connectors/land-extra')
  // edits it
  await page.getByLabel('Đường dẫn kiểm tra sức khỏe (probePath)').fill('/_sim/health')
  await page.getByRole('button', { name: 'Lưu' }).click()
  await page.getByText('Đã lưu.').waitFor()
  t.match((await app.connectors.store.get('land-extra'))?.config, { baseUrl: gw.sims.urls['land-79'], probePath: '/_sim/health' }, 'created and edited')
  await axeAndShoot('connector-form')
  await page.getByRole('link', { name: '← Danh sách bộ kết nối' }).click()
  await page.getByRole('button', { name: 'Kiểm tra kết nối của land-extra' }).click()
  await page.getByText('Kết nối tới land-extra thành công').waitFor()
  await axeAndShoot('connectors')
  await page.getByRole('navigation').getByRole('link', { name: 'Định tuyến theo tỉnh' }).click()
  await page.getByRole('row', { name: new RegExp(`^${province.code} `) }).getByText('land-extra').waitFor()
  await axeAndShoot('routing')

  // ── a lookup by the new client appears on the overview
  const token = await request(`${url}/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'so-tp-79', client_secret: secret }) })
  const accessToken = ((await token.body.json()) as { access_token: string }).access_token
  const lookup = await request(`${url}/v1/lookups/citizen.lookup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}`, 'x-purpose': '1.000894' },
    body: JSON.stringify({ personalId: PIN })
  })
  t.equal(lookup.statusCode, 200, 'the lookup succeeded')
  await lookup.body.dump()
  await page.getByRole('navigation').getByRole('link', { name: 'Tổng quan' }).click()
  await page.getByRole('row', { name: /citizen\.lookup/ }).getByRole('img').waitFor({ timeout: 15_000 })
  await axeAndShoot('overview')

  // ── a dead letter, retried from the deliveries page
  gw.sims.sims.dvcqg.portal.forceErrors(1, 1)
  const accepted = await request(`${url}/v1/dossiers`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}`, 'x-purpose': '1.000894' }, body: JSON.stringify(dossier(7)) })
  t.equal(accepted.statusCode, 202, 'a dossier accepted')
  await accepted.body.dump()
  await waitFor(async () => (await statusCounts(app)).failed === 1, 20_000, 'the delivery fails')
  await page.getByRole('navigation').getByRole('link', { name: 'Gửi hồ sơ' }).click()
  await page.getByRole('button', { name: `Các lần gửi của ${dossierCode(7)}` }).click()
  await page.getByRole('list', { name: `Các lần gửi của ${dossierCode(7)}` }).waitFor()
  await axeAndShoot('deliveries')
  await page.getByRole('button', { name: `Gửi lại hồ sơ ${dossierCode(7)}` }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Gửi lại' }).click()
  await page.getByText('Đã đưa 1 lần gửi vào hàng đợi gửi lại.').waitFor()
  await waitFor(async () => (await statusCounts(app)).delivered === 1, 20_000, 'the retried delivery arrives')

  // ── configuration: export, and an import's dry run shown before it is applied
  await page.getByRole('navigation').getByRole('link', { name: 'Cấu hình' }).click()
  await page.getByRole('button', { name: 'Xuất', exact: true }).click()
  const exported = JSON.parse(await page.getByLabel('Cấu hình hiện tại (không có khóa bí mật)').inputValue()) as { clients: Array<{ id: string, name: string }> }
  const renamed = { ...exported, clients: exported.clients.map((c) => c.id === 'so-tp-79' ? { ...c, name: 'Sở Tư pháp TP.HCM' } : c) }
  await page.getByLabel('Tài liệu cấu hình (JSON)').fill(JSON.stringify(renamed))
  await page.getByRole('button', { name: 'Chạy thử' }).click()
  await page.getByRole('heading', { name: 'Chạy thử: 1 thay đổi' }).waitFor()
  t.equal((await app.clients.get('so-tp-79'))?.name, 'Sở Tư pháp TP Hồ Chí Minh', 'a dry run changes nothing')
  await axeAndShoot('config')
  await page.getByRole('button', { name: 'Áp dụng 1 thay đổi' }).click()
  await page.getByText('Đã áp dụng 1 thay đổi.').waitFor()
  t.equal((await app.clients.get('so-tp-79'))?.name, 'Sở Tư pháp TP.HCM')

  // ── administrative units: found without diacritics, with the lineage of a commune
  const commune = app.adminUnits.communes({ asOf: todayInVietnam(), limit: 1 })[0]
  await page.getByRole('navigation').getByRole('link', { name: 'Đơn vị hành chính' }).click()
  await page.getByLabel('Tên xã, phường (không cần dấu)').fill(plain(commune.name))
  await page.getByRole('button', { name: 'Tìm kiếm' }).click()
  await page.getByRole('button', { name: `Xem lịch sử của ${commune.name}` }).first().click()
  await page.getByRole('heading', { name: /^Lịch sử của mã / }).waitFor()
  await axeAndShoot('admin-units')
  // English on demand, every label
  await page.getByRole('button', { name: 'English' }).click()
  await page.getByRole('heading', { name: 'Administrative units' }).waitFor()
  await page.getByRole('button', { name: 'Tiếng Việt' }).click()

  // ── every change was an admin.change naming the person
  await app.auditTrail.writer.flush()
  const changes = (await app.db.query<{ client_id: string, end_user: string, details: { action: string, person?: { sub: string, name: string } } }>(
    "SELECT client_id, end_user, details FROM audit_events WHERE kind = 'admin.change' ORDER BY seq")).rows
  t.ok(changes.length >= 6, `admin changes recorded (${changes.length})`)
  t.ok(changes.every((c) => c.details.person?.sub === 'admin' && c.details.person.name === admin.name && c.client_id === 'person:admin'), 'each names the person')
  t.ok(changes.some((c) => c.details.action === 'retry'), 'the retry too')

  // ── sign-out ends the provider's session too (RP-initiated logout)
  await page.getByRole('button', { name: 'Đăng xuất' }).click()
  await page.getByRole('button', { name: 'Đăng xuất (Sign out)' }).click()
  await page.getByRole('heading', { name: 'Đăng nhập', exact: true }).waitFor()

  // ── an auditor signs in and finds the lookup by the person's PIN, with the keyboard alone
  await page.goto(`${url}/console/`)
  await page.getByRole('heading', { name: 'Đăng nhập', exact: true }).waitFor()
  t.ok(await tabTo(page, 'a[href^="/console/auth/login"]'), 'the sign-in link is reached by Tab')
  await page.keyboard.press('Enter')
  await page.getByLabel('Tên đăng nhập (Username)').waitFor()
  await page.keyboard.type(auditor.username)
  await page.keyboard.press('Tab')
  await page.keyboard.type(auditor.password)
  await page.keyboard.press('Enter')
  await page.getByRole('heading', { name: 'Tra cứu nhật ký kiểm toán' }).waitFor()
  t.ok(await tabTo(page, 'input[name="subject"]', 5), 'the subject field is the first stop after the heading')
  await page.keyboard.type(PIN)
  await page.keyboard.press('Enter')
  const row = page.getByRole('row', { name: /citizen\.lookup/ })
  await row.first().waitFor()
  t.equal(await row.count(), 1, 'exactly the lookup of that person')
  await axeAndShoot('audit-search')
  t.ok(await tabTo(page, 'a[href^="/console/audit/traces/"]'), 'the trace link is reached by Tab')
  await page.keyboard.press('Enter')
  await page.getByRole('heading', { name: /^Vết / }).waitFor()
  await page.getByRole('img', { name: /Biểu đồ thác/ }).waitFor()
  for (const hop of ['received', 'validated', 'responded']) t.ok(await page.getByRole('rowheader', { name: new RegExp(`^${hop}`) }).count() > 0, `the waterfall has the hop ${hop}`)
  await axeAndShoot('trace')
  // back to the search: the results are still there; export them as NDJSON
  await page.getByRole('link', { name: '← Tra cứu nhật ký' }).click()
  await row.first().waitFor()
  const downloading = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Xuất NDJSON' }).click()
  const download = await downloading
  const lines = (await readFile(await download.path(), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { kind: string, service: string })
  t.ok(lines.length >= 1 && lines.every((e) => e.kind === 'lookup' && e.service === 'citizen.lookup'), 'the export holds that filter')

  // verification of the chain
  await page.getByRole('navigation').getByRole('link', { name: 'Kiểm tra chuỗi' }).click()
  await page.getByRole('button', { name: 'Kiểm tra', exact: true }).click()
  await page.getByText('Toàn vẹn').waitFor()
  await axeAndShoot('verify')

  // ── an auditor sees no admin page and no admin action, and the API refuses them all
  t.equal(await page.getByRole('navigation').getByRole('link').count(), 2, 'only the audit pages in the navigation')
  await page.goto(`${url}/console/clients`)
  await page.getByRole('heading', { name: 'Không có quyền' }).waitFor()
  await axeAndShoot('forbidden')
  const csrf = await page.evaluate(async () => ((await (await fetch('/console/auth/session')).json()) as { csrf: string }).csrf)
  const cookie = (await context.cookies(url)).map((c) => `${c.name}=${c.value}`).join('; ')
  const paths = (app.swagger() as { paths: Record<string, Record<string, unknown>> }).paths
  let refused = 0
  for (const [path, methods] of Object.entries(paths).filter(([p]) => p.startsWith('/v1/admin/'))) {
    for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
      const res = await request(`${url}${path.replace(/\{[^}]+\}/g, 'x1')}`, {
        method: method as 'GET',
        headers: { cookie, 'x-csrf-token': csrf, origin: url, ...(method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' }) },
        body: method === 'GET' || method === 'DELETE' ? undefined : '{}'
      })
      const body = await res.body.json() as { code?: string }
      if (res.statusCode === 403 && body.code === 'FORBIDDEN') refused++
      else t.fail(`${method} ${path} answered ${res.statusCode} to an auditor`)
    }
  }
  t.ok(refused >= 15, `every admin route refuses the auditor (${refused})`)

  // ── nothing leaked, nothing broke
  t.notOk(watched.urls.some((u) => u.includes(PIN)), 'the PIN is in no URL the browser asked for')
  t.notOk(gw.logs.some((l) => l.includes(PIN)), 'nor in any log line of the gateway')
  t.same(watched.csp, [], 'no CSP violation')
  t.same(watched.errors, [], 'no console error')
})
