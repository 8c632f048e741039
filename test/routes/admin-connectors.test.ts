import t from 'tap'
import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { build, testConfig, tokenFor, upstream, type TestLike } from '../helper.js'

const CITIZEN = { personalId: '079203001234', fullName: 'Nguyễn Văn A', dateOfBirth: '2003-01-01', gender: 'male', nationality: 'VN', permanentAddress: { provinceCode: '79', communeCode: '26734', detail: '1 Lê Lợi' }, status: 'alive' }
const key = (): string => randomBytes(32).toString('base64')

/** An upstream answering citizen lookups when the x-api-key header is one of `keys`; counts what it served. */
async function citizenUpstream (t: TestLike, keys: Set<string>): Promise<{ url: string, served: { n: number, refused: number } }> {
  const served = { n: 0, refused: 0 }
  const url = await upstream(t, (up) => up.post('/lookup', async (req, reply) => {
    if (!keys.has(String(req.headers['x-api-key']))) { served.refused++; return await reply.code(401).send({}) }
    served.n++
    return CITIZEN
  }))
  return { url, served }
}

const instance = (url: string, apiKey = 'k-one') => ({
  id: 'population',
  type: 'rest-json',
  services: ['citizen.lookup'],
  config: { baseUrl: url, operations: { 'citizen.lookup': { path: '/lookup' } }, auth: { type: 'header', name: 'x-api-key', value: apiKey }, runtime: { retries: { attempts: 0 } } }
})

async function admin (app: FastifyInstance): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await tokenFor(app, ['admin'])}` }
}

t.test('connector types list their config schema', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/v1/admin/connector-types', headers: await admin(app) })
  t.equal(res.statusCode, 200)
  const rest = res.json().items.find((x: { type: string }) => x.type === 'rest-json')
  t.ok(rest.configSchema.properties.baseUrl)
  t.same(rest.secretFields, ['/auth/value', '/auth/clientSecret'])
})

t.test('create, read (masked), update keeping the secret, encrypted at rest, used at once', async (t) => {
  const { url, served } = await citizenUpstream(t, new Set(['k-one']))
  const app = await build(t)
  const auth = await admin(app)
  const created = await app.inject({ method: 'POST', url: '/v1/admin/connectors', headers: auth, payload: instance(url) })
  t.equal(created.statusCode, 201, created.body)
  t.equal(created.json().config.auth.value, '********')
  const { rows } = await app.db.query("SELECT config->'auth'->>'value' AS v FROM connector_instances WHERE id = 'population'")
  t.match(rows[0].v, /^enc:v1:/, 'encrypted at rest')
  t.notOk(rows[0].v.includes('k-one'))

  const sys = await tokenFor(app, ['system'], ['citizen.lookup'])
  const look = async () => await app.inject({ method: 'POST', url: '/v1/lookups/citizen.lookup', headers: { authorization: `Bearer ${sys}`, 'x-purpose': '1.000894' }, payload: { personalId: '079203001234' } })
  t.equal((await look()).statusCode, 200)
  t.equal(served.n, 1)

  const update = instance(url)
  delete (update.config.auth as { value?: string }).value
  const put = await app.inject({ method: 'PUT', url: '/v1/admin/connectors/population', headers: auth, payload: { ...update, config: { ...update.config, runtime: { retries: { attempts: 1 } } } } })
  t.equal(put.statusCode, 200, put.body)
  t.equal(put.json().version, 2)
  t.equal((await look()).statusCode, 200, 'the omitted secret was kept')
  t.equal(served.n, 2)
  t.equal((await app.inject({ url: '/v1/admin/connectors/population', headers: auth })).json().config.auth.value, '********')
})

t.test('a stored secret is never sent to a new address: change a URL, give the secret again (issue 22 #2)', async (t) => {
  const { url, served } = await citizenUpstream(t, new Set(['k-one', 'k-two']))
  const stolen: unknown[] = []
  const thief = await upstream(t, (up) => {
    up.post('/*', async (req) => { stolen.push(req.headers, req.body); return CITIZEN })
  })
  const app = await build(t)
  const auth = await admin(app)
  t.equal((await app.inject({ method: 'POST', url: '/v1/admin/connectors', headers: auth, payload: instance(url) })).statusCode, 201)
  const read = (await app.inject({ url: '/v1/admin/connectors/population', headers: auth })).json()
  const put = async (id: string, payload: unknown) => await app.inject({ method: 'PUT', url: `/v1/admin/connectors/${id}`, headers: auth, payload: payload as object })

  // the attack: the masked key kept, the base URL pointed elsewhere
  const moved = await put('population', { ...instance(url), config: { ...read.config, baseUrl: thief } })
  t.equal(moved.statusCode, 400)
  t.match(moved.json(), { code: 'SECRET_REQUIRED', errors: [{ path: '/body/config/auth/value', message: /\/config\/baseUrl changed/ }] })
  const { auth: _a, ...noAuth } = read.config
  const omitted = await put('population', { ...instance(url), config: { ...noAuth, baseUrl: thief, auth: { type: 'header', name: 'x-api-key' } } })
  t.equal(omitted.statusCode, 400, 'an omitted secret is kept the same way, and refused the same way')
  t.equal(omitted.json().code, 'SECRET_REQUIRED')
  const sys = await tokenFor(app, ['system'], ['citizen.lookup'])
  const look = await app.inject({ method: 'POST', url: '/v1/lookups/citizen.lookup', headers: { authorization: `Bearer ${sys}`, 'x-purpose': '1.000894' }, payload: { personalId: '079203001234' } })
  t.equal(look.statusCode, 200, 'still served by the old address')
  t.same(stolen, [], 'nothing reached the new address')
  t.equal(served.n, 1)

  const sameUrl = await put('population', { ...instance(url), config: { ...read.config, runtime: { retries: { attempts: 1 } } } })
  t.equal(sameUrl.statusCode, 200, 'the secret is kept when no URL changes')
  const given = await put('population', { ...instance(url, 'k-two'), config: { ...instance(url, 'k-two').config, baseUrl: `${url}/` } })
  t.equal(given.statusCode, 200, 'a URL change with the secret given again')

  // OAuth2 client secret with the token URL changed
  const oauth = { id: 'tax', type: 'rest-json', services: ['tax.taxpayer.lookup'], config: { baseUrl: url, operations: { 'tax.taxpayer.lookup': { path: '/t' } }, auth: { type: 'oauth2', tokenUrl: `${url}/token`, clientId: 'gw', clientSecret: 'cs-1' } } }
  t.equal((await app.inject({ method: 'POST', url: '/v1/admin/connectors', headers: auth, payload: oauth })).statusCode, 201)
  const tokenUrl = await put('tax', { ...oauth, config: { ...oauth.config, auth: { ...oauth.config.auth, tokenUrl: `${thief}/token`, clientSecret: '********' } } })
  t.equal(tokenUrl.statusCode, 400)
  t.match(tokenUrl.json(), { code: 'SECRET_REQUIRED', errors: [{ path: '/body/config/auth/clientSecret', message: /\/config\/auth\/tokenUrl changed/ }] })

  // the portal's password
  const portal = { id: 'portal', type: 'dvcqg', services: ['dossier.sync', 'dossier.progress'], config: { baseUrl: url, username: 'gw', password: 'pw-1', dstcode: 'G22', agencyCode: '000.00.01.H22' } }
  t.equal((await app.inject({ method: 'POST', url: '/v1/admin/connectors', headers: auth, payload: portal })).statusCode, 201)
  const { password: _p, ...noPassword } = portal.config
  const portalMoved = await put('portal', { ...portal, config: { ...noPassword, baseUrl: thief } })
  t.equal(portalMoved.statusCode, 400)
  t.match(portalMoved.json(), { code: 'SECRET_REQUIRED', errors: [{ path: '/body/config/password' }] })

  // the declarative import keeps masked secrets the same way
  const exported = (await app.inject({ url: '/v1/admin/config', headers: auth })).json()
  const i = exported.connectors.findIndex((c: { id: string }) => c.id === 'population')
  exported.connectors[i].config.baseUrl = thief
  const imported = await app.inject({ method: 'PUT', url: '/v1/admin/config', headers: auth, payload: exported })
  t.equal(imported.statusCode, 400)
  t.match(imported.json(), { code: 'SECRET_REQUIRED', errors: [{ path: `/body/connectors/${i as number}/config/auth/value` }] })
  t.same(stolen, [], 'still nothing at the new address')
})

t.test('what GET answers can be PUT back; a stale version is 409 (issue 15 item 4)', async (t) => {
  const app = await build(t)
  const auth = await admin(app)
  t.equal((await app.inject({ method: 'POST', url: '/v1/admin/connectors', headers: auth, payload: instance('http://127.0.0.1:9') })).statusCode, 201)
  const got = (await app.inject({ url: '/v1/admin/connectors/population', headers: auth })).json()
  t.equal(got.version, 1)
  const put = await app.inject({ method: 'PUT', url: '/v1/admin/connectors/population', headers: auth, payload: got })
  t.equal(put.statusCode, 200, put.body)
  t.equal(put.json().version, 2)
  t.same({ ...put.json(), version: 1 }, got, 'the same instance, the masked secret kept')
  const stale = await app.inject({ method: 'PUT', url: '/v1/admin/connectors/population', headers: auth, payload: { ...got, enabled: false } })
  t.equal(stale.statusCode, 409, 'version 1 is stale')
  t.equal(stale.json().code, 'CONFLICT')
  t.equal((await app.inject({ url: '/v1/admin/connectors/population', headers: auth })).json().enabled, true, 'nothing written')
  const { version: _v, ...unversioned } = got
  t.equal((await app.inject({ method: 'PUT', url: '/v1/admin/connectors/population', headers: auth, payload: unversioned })).statusCode, 200,
    'without a version the write is unconditional')
})

t.test('connectors and connector types are pages (issue 15 item 5)', async (t) => {
  const app = await build(t)
  const auth = await admin(app)
  await app.inject({ method: 'POST', url: '/v1/admin/connectors', headers: auth, payload: instance('http://127.0.0.1:9') })
  const land = (id: string, p: string) => ({ id, type: 'rest-json', services: ['land.parcel.lookup'], provinces: [p], config: { baseUrl: 'http://127.0.0.1:9', operations: { 'land.parcel.lookup': { path: '/p' } } } })
  for (const [id, p] of [['land-01', '01'], ['land-79', '79']]) {
    t.equal((await app.inject({ method: 'POST', url: '/v1/admin/connectors', headers: auth, payload: land(id, p) })).statusCode, 201)
  }
  const first = (await app.inject({ url: '/v1/admin/connectors?limit=2', headers: auth })).json()
  t.same(first.items.map((c: { id: string }) => c.id), ['land-01', 'land-79'])
  t.type(first.nextCursor, 'string')
  const second = (await app.inject({ url: `/v1/admin/connectors?limit=2&cursor=${first.nextCursor as string}`, headers: auth })).json()
  t.same(second, { items: [second.items[0]], nextCursor: null })
  t.equal(second.items[0].id, 'population')
  const types = (await app.inject({ url: '/v1/admin/connector-types?limit=1', headers: auth })).json()
  t.equal(types.items.length, 1)
  t.type(types.nextCursor, 'string', 'two built-in types: there is more')
  t.equal((await app.inject({ url: '/v1/admin/connectors?id=population', headers: auth })).statusCode, 400, 'unknown parameter')
})

t.test('bad input: invalid config names the path, unknown type, outside allowlist, non-admin', async (t) => {
  const app = await build(t)
  const auth = await admin(app)
  const post = async (payload: unknown) => await app.inject({ method: 'POST', url: '/v1/admin/connectors', headers: auth, payload: payload as object })
  const noOps = await post({ ...instance('http://127.0.0.1:9'), config: { baseUrl: 'http://127.0.0.1:9' } })
  t.equal(noOps.statusCode, 400)
  t.match(noOps.json().errors, [{ path: '/body/config/operations' }])
  const badTimeout = await post({ ...instance('http://127.0.0.1:9'), config: { ...instance('http://127.0.0.1:9').config, runtime: { headersTimeoutMs: 'soon' } } })
  t.match(badTimeout.json().errors, [{ path: '/body/config/runtime/headersTimeoutMs' }])
  const unknownType = await post({ ...instance('http://127.0.0.1:9'), type: 'soap-magic' })
  t.equal(unknownType.statusCode, 400)
  t.match(unknownType.json().errors, [{ path: '/body/type' }])
  const outside = await post(instance('http://10.1.2.3:8080'))
  t.equal(outside.statusCode, 400)
  t.match(outside.json().errors, [{ path: '/body/config/baseUrl', message: /allowlist/ }])
  const metadata = await post(instance('http://169.254.169.254/latest'))
  t.equal(metadata.statusCode, 400)
  const sys = await tokenFor(app, ['system'], ['citizen.lookup'])
  t.equal((await app.inject({ url: '/v1/admin/connectors', headers: { authorization: `Bearer ${sys}` } })).statusCode, 403)
})

t.test('removing or disabling the only route of a granted service → 409 unless forced; ambiguous routes refused', async (t) => {
  const app = await build(t)
  const auth = await admin(app)
  t.equal((await app.inject({ method: 'POST', url: '/v1/admin/connectors', headers: auth, payload: instance('http://127.0.0.1:9') })).statusCode, 201)
  await tokenFor(app, ['system'], ['citizen.lookup'])
  const twin = await app.inject({ method: 'POST', url: '/v1/admin/connectors', headers: auth, payload: { ...instance('http://127.0.0.1:9'), id: 'population-2' } })
  t.equal(twin.statusCode, 409, 'two instances for one global service are ambiguous')
  const disable = await app.inject({ method: 'PUT', url: '/v1/admin/connectors/population', headers: auth, payload: { ...instance('http://127.0.0.1:9'), enabled: false } })
  t.equal(disable.statusCode, 409)
  const del = await app.inject({ method: 'DELETE', url: '/v1/admin/connectors/population', headers: auth })
  t.equal(del.statusCode, 409)
  t.match(del.json().detail, /citizen.lookup/)
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/admin/connectors/population?force=true', headers: auth })).statusCode, 204)
  t.equal((await app.inject({ url: '/v1/admin/connectors/population', headers: auth })).statusCode, 404)
})

t.test('export, dry run, all-or-nothing import', async (t) => {
  const app = await build(t)
  const auth = await admin(app)
  await app.inject({ method: 'POST', url: '/v1/admin/connectors', headers: auth, payload: instance('http://127.0.0.1:9') })
  const exported = (await app.inject({ url: '/v1/admin/config', headers: auth })).json()
  t.equal(exported.connectors[0].config.auth.value, '********')
  t.notOk(JSON.stringify(exported).includes('secret_hash'))
  const same = await app.inject({ method: 'PUT', url: '/v1/admin/config', headers: auth, payload: exported })
  t.equal(same.statusCode, 200, same.body)
  t.ok(same.json().changes.every((c: { action: string }) => c.action === 'unchanged'), 'a round trip changes nothing')

  const land = { id: 'land-01', type: 'rest-json', services: ['land.parcel.lookup'], provinces: ['01'], config: { baseUrl: 'http://127.0.0.1:9', operations: { 'land.parcel.lookup': { path: '/p' } } } }
  const dry = await app.inject({ method: 'PUT', url: '/v1/admin/config?dryRun=true', headers: auth, payload: { ...exported, connectors: [...exported.connectors, land] } })
  t.equal(dry.statusCode, 200)
  t.match(dry.json(), { applied: false, changes: [{ id: 'population', action: 'unchanged' }, { id: 'land-01', action: 'create' }] })
  t.equal((await app.connectors.store.list()).length, 1, 'dry run applies nothing')

  const bad = { ...land, id: 'land-79', provinces: ['79'], config: { baseUrl: 'http://10.9.9.9', operations: { 'land.parcel.lookup': { path: '/p' } } } }
  const rejected = await app.inject({ method: 'PUT', url: '/v1/admin/config', headers: auth, payload: { ...exported, connectors: [...exported.connectors, land, bad], clients: [...exported.clients, { id: 'new-prov', name: 'N', roles: ['system'] }] } })
  t.equal(rejected.statusCode, 400)
  t.same(rejected.json().errors.map((e: { path: string }) => e.path), ['/body/connectors/2/config/baseUrl'])
  t.equal((await app.connectors.store.list()).length, 1, 'nothing applied')
  t.equal(await app.clients.get('new-prov'), undefined, 'no client created either')

  const ok = await app.inject({ method: 'PUT', url: '/v1/admin/config', headers: auth, payload: { ...exported, connectors: [...exported.connectors, land], clients: [...exported.clients, { id: 'new-prov', name: 'N', roles: ['system'], grants: ['land.parcel.lookup'] }] } })
  t.equal(ok.statusCode, 200, ok.body)
  t.equal(ok.json().newClientSecrets[0].id, 'new-prov')
  t.ok(app.connectors.get('land-01'), 'live at once')
})

t.test('secrets key rotation: old secrets still decrypt, re-encryption moves them to the new key', async (t) => {
  const { url, served } = await citizenUpstream(t, new Set(['k-one']))
  const k1 = key()
  const base = await testConfig(t, { SECRETS_KEY: `k1:${k1}` })
  const first = await build(t, { config: base })
  await first.inject({ method: 'POST', url: '/v1/admin/connectors', headers: await admin(first), payload: instance(url) })
  await first.close()
  const second = await build(t, { config: { ...base, secretsKey: `k2:${key()},k1:${k1}` } })
  const sys = await tokenFor(second, ['system'], ['citizen.lookup'])
  const look = await second.inject({ method: 'POST', url: '/v1/lookups/citizen.lookup', headers: { authorization: `Bearer ${sys}`, 'x-purpose': '1.000894' }, payload: { personalId: '079203001234' } })
  t.equal(look.statusCode, 200, 'a secret under the old key still works')
  const re = await second.inject({ method: 'POST', url: '/v1/admin/secrets/reencrypt', headers: await admin(second) })
  t.same(re.json(), { reencrypted: 1, activeKeyId: 'k2' })
  const { rows } = await second.db.query("SELECT config->'auth'->>'value' AS v FROM connector_instances")
  t.match(rows[0].v, /^enc:v1:k2:/)
  t.equal(served.n, 1)
})

t.test('health: the state agrees with the last check — an open circuit over a system that answers its check is degraded, never down with lastCheckOk true', async (t) => {
  let probeOk = true
  const url = await upstream(t, (up) => {
    up.post('/lookup', async (_req, reply) => await reply.code(500).send({ error: 'broken' }))
    up.get('/health', async (_req, reply) => await reply.code(probeOk ? 200 : 503).send({}))
  })
  const app = await build(t, {
    env: { HEALTH_PROBE_INTERVAL_MS: '50' },
    connectors: [{
      id: 'population',
      type: 'rest-json',
      services: ['citizen.lookup'],
      provinces: null,
      enabled: true,
      config: { baseUrl: url, operations: { 'citizen.lookup': { path: '/lookup' } }, probePath: '/health', runtime: { retries: { attempts: 0 }, breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 } } }
    }]
  })
  const system = await tokenFor(app, ['system'], ['citizen.lookup'])
  const headers = await admin(app)
  const health = async (): Promise<{ state: string, circuit: string, lastCheckOk: boolean | null }> =>
    (await app.inject({ url: '/v1/admin/connectors/population/health', headers })).json()
  const seen: Array<{ state: string, lastCheckOk: boolean | null }> = []
  const until = async (want: (h: Awaited<ReturnType<typeof health>>) => boolean): Promise<Awaited<ReturnType<typeof health>>> => {
    for (let i = 0; i < 200; i++) {
      const h = await health()
      seen.push(h)
      if (want(h)) return h
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    throw new Error(`health never reached the expected state: ${JSON.stringify(seen.at(-1))}`)
  }

  await until((h) => h.lastCheckOk === true)
  for (let i = 0; i < 4; i++) {
    await app.inject({ method: 'POST', url: '/v1/lookups/citizen.lookup', headers: { authorization: `Bearer ${system}`, 'x-purpose': '1.000894' }, payload: { personalId: '079203001234' } })
  }
  t.match(await until((h) => h.circuit === 'open'), { state: 'degraded', circuit: 'open', lastCheckOk: true }, 'the calls fail, the system answers its check')
  probeOk = false
  t.match(await until((h) => h.lastCheckOk === false), { state: 'down', circuit: 'open', lastCheckOk: false }, 'down once its check fails too')
  t.same(seen.filter((h) => h.state === 'down' && h.lastCheckOk === true), [], 'never down with a successful last check')
})
