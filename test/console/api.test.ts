import t from 'tap'
import { request } from 'undici'
import { sampleIds } from '../../src/simulators/index.js'
import { personRoles } from '../../src/console/roles.js'
import { parseRoleMap } from '../../src/config.js'
import { TrafficSeries } from '../../src/console/traffic.js'
import { devPeople, startDevIdentityProvider } from '../../src/dev/identity-provider.js'
import { tokenFor } from '../helper.js'
import { consoleGateway, PEOPLE } from './gateway.js'
import { signIn } from './sign-in.js'

const PIN = sampleIds()['citizen.lookup'][0].personalId
const [admin, auditor] = PEOPLE

t.test('people sign in by OpenID Connect; the session opens the API by role; changes need the CSRF token', async (t) => {
  const gw = await consoleGateway(t)
  const { url, app } = gw
  const call = async (method: 'GET' | 'POST' | 'PATCH', path: string, headers: Record<string, string>, body?: unknown) => {
    const res = await request(`${url}${path}`, { method, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body !== undefined ? JSON.stringify(body) : undefined })
    const text = await res.body.text()
    return { status: res.statusCode, json: text === '' ? undefined : JSON.parse(text) as Record<string, unknown>, headers: res.headers }
  }

  const a = await signIn(url, admin.username, admin.password)
  t.same(a.roles, ['admin'])
  t.match(a.sessionCookie, /lienthong-console=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict/, 'an HttpOnly, SameSite=Strict cookie')
  t.notMatch(a.sessionCookie, /Secure/, 'not Secure on plain http (it is when CONSOLE_PUBLIC_URL is https)')
  t.equal((await call('GET', '/v1/admin/clients', { cookie: a.cookie })).status, 200, 'an admin reads the admin API')
  const body = { id: 'so-xd-48', name: 'Sở Xây dựng', roles: ['system'] }
  t.match(await call('POST', '/v1/admin/clients', { cookie: a.cookie }, body), { status: 403, json: { code: 'FORBIDDEN' } }, 'no CSRF token: refused')
  t.match(await call('POST', '/v1/admin/clients', { cookie: a.cookie, 'x-csrf-token': 'x'.repeat(32) }, body), { status: 403 }, 'a wrong token: refused')
  t.match(await call('POST', '/v1/admin/clients', { cookie: a.cookie, 'x-csrf-token': a.csrf, origin: 'http://evil.example' }, body), { status: 403 }, 'another origin: refused')
  t.equal((await call('POST', '/v1/admin/clients', { cookie: a.cookie, 'x-csrf-token': a.csrf, origin: url }, body)).status, 201, 'with both: done')
  await app.auditTrail.writer.flush()
  const { rows } = await app.db.query("SELECT client_id, end_user, details FROM audit_events WHERE kind = 'admin.change'")
  t.match(rows, [{ client_id: 'person:admin', end_user: 'admin', details: { entity: 'client', id: 'so-xd-48', action: 'create', person: { sub: 'admin', name: admin.name } } }], 'the change names the person')

  // an auditor: the audit API, never the admin API
  const u = await signIn(url, auditor.username, auditor.password)
  t.same(u.roles, ['auditor'])
  t.match(await call('GET', '/v1/admin/clients', { cookie: u.cookie }), { status: 403, json: { code: 'FORBIDDEN' } })
  t.match(await call('PATCH', '/v1/admin/clients/so-xd-48', { cookie: u.cookie, 'x-csrf-token': u.csrf }, { enabled: false }), { status: 403 })
  t.match(await call('GET', '/v1/admin/overview', { cookie: u.cookie }), { status: 403 })
  t.match(await call('GET', '/v1/audit/verify', { cookie: u.cookie }), { status: 200, json: { ok: true } })
  t.match(await call('GET', '/v1/audit/verify', { cookie: a.cookie }), { status: 403 }, 'an admin without auditor reads no trail')

  // a lookup, then the auditor finds it by the PIN sent in the body
  const system = await tokenFor(app, ['system'], ['citizen.lookup'])
  const lookup = await call('POST', '/v1/lookups/citizen.lookup', { authorization: `Bearer ${system}`, 'x-purpose': '1.000894' }, { personalId: PIN })
  t.equal(lookup.status, 200)
  await app.auditTrail.writer.flush()
  const found = await call('POST', '/v1/audit/events/search', { cookie: u.cookie, 'x-csrf-token': u.csrf }, { subject: PIN, kind: 'lookup', limit: 10 })
  t.match(found, { status: 200, json: { items: [{ kind: 'lookup', service: 'citizen.lookup' }], nextCursor: null } })
  const none = await call('POST', '/v1/audit/events/search', { cookie: u.cookie, 'x-csrf-token': u.csrf }, { subject: '079099000001' })
  t.same((none.json as { items: unknown[] }).items, [], 'another subject finds nothing')
  t.match(await call('POST', '/v1/audit/events/search', { cookie: u.cookie, 'x-csrf-token': u.csrf }, { subject: PIN, colour: 'red' }), { status: 400, json: { code: 'VALIDATION_FAILED' } })
  const event = ((found.json as { items: Array<{ id: string }> }).items)[0]
  t.match(await call('GET', `/v1/audit/events/${event.id}`, { cookie: u.cookie }), { status: 200, json: { id: event.id, kind: 'lookup' } })
  t.match(await call('GET', '/v1/audit/events/00000000-0000-4000-8000-000000000000', { cookie: u.cookie }), { status: 404 })
  const exported = await request(`${url}/v1/audit/export`, { method: 'POST', headers: { cookie: u.cookie, 'x-csrf-token': u.csrf, 'content-type': 'application/json' }, body: JSON.stringify({ subject: PIN }) })
  t.equal(exported.headers['content-type'], 'application/x-ndjson; charset=utf-8')
  t.match((await exported.body.text()).trim().split('\n').map((l) => JSON.parse(l)), [{ id: event.id }])
  t.notOk(gw.logs.some((l) => l.includes(PIN)), 'the PIN is in no log line')

  // the overview, and a connection test
  const overview = await call('GET', '/v1/admin/overview', { cookie: a.cookie })
  t.match(overview, { status: 200, json: { services: Array, connectors: Array, deliveries: { byStatus: { failed: 0 } }, audit: { accepting: true }, readiness: { redis: 'up', postgres: 'up' } } })
  const citizen = (overview.json as { services: Array<{ id: string, perMinute: number, points: unknown[] }> }).services.find((s) => s.id === 'citizen.lookup')
  t.ok(citizen !== undefined && citizen.perMinute > 0 && citizen.points.length === 60, 'the lookup is in the last hour, by minute')
  t.match(await call('POST', '/v1/admin/connectors/population/check', { cookie: a.cookie, 'x-csrf-token': a.csrf }), { status: 200, json: { ok: true, health: { state: 'up' } } })
  t.match(await call('POST', '/v1/admin/connectors/nothing-here/check', { cookie: a.cookie, 'x-csrf-token': a.csrf }), { status: 404 })

  // sign-out: the session is gone, and the provider is asked to end its own
  const out = await call('POST', '/console/auth/logout', { cookie: a.cookie, 'x-csrf-token': a.csrf })
  t.match(out.json, { endSessionUrl: new RegExp(`^${gw.idp}/session/end\\?.*id_token_hint=`) })
  t.match(await call('GET', '/console/auth/session', { cookie: a.cookie }), { json: { signedIn: false } })
  t.match(await call('GET', '/v1/admin/clients', { cookie: a.cookie }), { status: 401, json: { code: 'UNAUTHORIZED' } })
})

t.test('the sign-in callback takes only a state this browser started, once', async (t) => {
  const gw = await consoleGateway(t)
  const start = await request(`${gw.url}/console/auth/login?returnTo=//evil.example/`)
  t.equal(start.statusCode, 302)
  await start.body.dump()
  const location = new URL(String(start.headers.location))
  t.equal(location.origin, gw.idp, 'to the provider')
  t.equal(location.searchParams.get('code_challenge_method'), 'S256', 'with PKCE')
  const state = location.searchParams.get('state') ?? ''
  t.match(String(start.headers['set-cookie']), /lienthong-console-login=.*HttpOnly; SameSite=Lax/)
  const noCookie = await request(`${gw.url}/console/auth/callback?state=${state}&code=abc`)
  t.equal(noCookie.statusCode, 401, 'not without the browser\'s login cookie')
  await noCookie.body.dump()
  const forged = await request(`${gw.url}/console/auth/callback?state=other-state-0123456789&code=abc`, { headers: { cookie: 'lienthong-console-login=other-state-0123456789' } })
  t.equal(forged.statusCode, 401, 'not a state the gateway did not start')
  await forged.body.dump()
  const badCode = await request(`${gw.url}/console/auth/callback?state=${state}&code=abc`, { headers: { cookie: `lienthong-console-login=${state}` } })
  t.equal(badCode.statusCode, 401, 'a code the provider refuses')
  await badCode.body.dump()
  const replay = await request(`${gw.url}/console/auth/callback?state=${state}&code=abc`, { headers: { cookie: `lienthong-console-login=${state}` } })
  t.equal(replay.statusCode, 401, 'and the state is used up')
  await replay.body.dump()
  // what a provider adds (RFC 9207 iss, session_state, its own parameters) is no reason to refuse: the state is
  const extras = await request(`${gw.url}/console/auth/callback?state=${state}&code=abc&iss=${encodeURIComponent(gw.idp)}&session_state=s1&authuser=0`, { headers: { cookie: `lienthong-console-login=${state}` } })
  t.equal(extras.statusCode, 401, 'parameters the provider adds are ignored (RFC 6749 §4.1.2), not refused as unknown')
  await extras.body.dump()
  // an unknown password
  await t.rejects(signIn(gw.url, 'admin', 'wrong-password'), { statusCode: 401 } as never)
})

t.test('the console is served with a strict CSP, hashed assets cached for a year, index.html revalidated', async (t) => {
  const gw = await consoleGateway(t)
  const page = await request(`${gw.url}/console/deliveries?status=failed`)
  const html = await page.body.text()
  t.equal(page.statusCode, 200, 'a page\'s query string is its router\'s, not refused as an API\'s would be')
  t.equal(page.headers['cache-control'], 'no-cache')
  const csp = String(page.headers['content-security-policy'])
  t.match(csp, /script-src 'self'/)
  t.notMatch(csp, /unsafe-inline|unsafe-eval|https?:/, 'no inline script, no eval, no other origin')
  t.notMatch(html, /<script(?![^>]*\bsrc=)/, 'no inline script in the page')
  const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1] ?? ''
  const js = await request(`${gw.url}${asset}`, { headers: { 'accept-encoding': 'br' } })
  await js.body.dump()
  t.equal(js.statusCode, 200)
  t.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable')
  t.equal(js.headers['content-encoding'], 'br', 'pre-compressed')
  const missing = await request(`${gw.url}/console/assets/nothing-here.js`)
  t.match(await missing.body.json(), { status: 404, code: 'NOT_FOUND' })
})

t.test('the development provider has nobody without the passwords, and says so', async (t) => {
  t.same(devPeople({}), [])
  t.same(devPeople({ auditor: 'x'.repeat(12) }).map((p) => [p.username, p.roles]), [['auditor', ['auditor']]])
  const idp = await startDevIdentityProvider({ port: 0, consoleUrl: 'http://127.0.0.1:1', clientId: 'c', clientSecret: 's'.repeat(32), people: [] })
  t.teardown(idp.close)
  const auth = await request(`${idp.issuer}/auth?${new URLSearchParams({ client_id: 'c', redirect_uri: 'http://127.0.0.1:1/console/auth/callback', response_type: 'code', scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }).toString()}`)
  await auth.body.dump()
  const interaction = await request(new URL(String(auth.headers.location), idp.issuer).href, { headers: { cookie: ([auth.headers['set-cookie'] ?? []].flat()).map((c) => c.split(';')[0]).join('; ') } })
  t.match(await interaction.body.text(), /has nobody: set LIENTHONG_DEV_ADMIN_PASSWORD and LIENTHONG_DEV_AUDITOR_PASSWORD/)
})

t.test('roles come from the configured claim through the role map', async (t) => {
  const cfg = { roleClaim: 'realm_access.roles', roleMap: parseRoleMap('lt-admin=admin, lt-audit=auditor, lt-both=admin, lt-both=auditor') }
  t.same(personRoles({ realm_access: { roles: ['lt-admin', 'other'] } }, cfg), ['admin'])
  t.same(personRoles({ realm_access: { roles: ['lt-both'] } }, cfg), ['admin', 'auditor'])
  t.same(personRoles({ realm_access: { roles: 'lt-audit other' } }, cfg), ['auditor'], 'a space-separated string')
  t.same(personRoles({ roles: ['lt-admin'] }, cfg), [], 'another claim gives nothing')
  t.same(personRoles({ realm_access: { roles: ['toString', '__proto__'] } }, cfg), [], 'no inherited names')
  t.throws(() => parseRoleMap('x=system'), /CONSOLE_ROLE_MAP/, 'people never get system')
})

t.test('the overview\'s series: by minute over the last hour, p50/p99 from the buckets', async (t) => {
  let now = Date.parse('2025-07-01T08:00:30Z')
  const s = new TrafficSeries(() => now)
  for (let i = 0; i < 99; i++) s.record('service:a', 4, false)
  s.record('service:a', 900, true)
  now += 60_000
  s.record('service:a', 40, false)
  const [a] = s.summary()
  t.equal(a.points.length, 60)
  t.match(a.points.slice(-2), [{ count: 100, errors: 1, p50Ms: 5, p99Ms: 5 }, { count: 1, p50Ms: 50 }])
  t.equal(a.errorRate, Math.round((1 / 101) * 10_000) / 10_000)
  now += 61 * 60_000
  t.same(s.summary(), [], 'nothing older than an hour')
})
