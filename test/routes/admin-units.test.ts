import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { build, tokenFor } from '../helper.js'

interface Setup {
  app: FastifyInstance
  headers: Record<string, string>
  get: (url: string) => Promise<LightMyRequestResponse>
}

/** The gateway and a caller with the role `system`. */
async function setup (t: Parameters<typeof build>[0]): Promise<Setup> {
  const app = await build(t)
  const headers = { authorization: `Bearer ${await tokenFor(app, ['system'])}` }
  return { app, headers, get: async (url: string) => await app.inject({ url, headers }) }
}

t.test('provinces on a date: 15 was Yên Bái, is Lào Cai', async (t) => {
  const { get } = await setup(t)
  const before = await get('/v1/admin-units/provinces?asOf=2025-06-30')
  t.equal(before.statusCode, 200)
  t.equal(before.json().items.length, 63)
  t.equal(before.json().nextCursor, null, '63 provinces fit in one page')
  t.same(before.json().items.find((p: { code: string }) => p.code === '15'), {
    code: '15', name: 'Yên Bái', fullName: 'Tỉnh Yên Bái', type: 'tinh', validFrom: null, validTo: '2025-06-30'
  })
  const after = (await get('/v1/admin-units/provinces?asOf=2025-07-01')).json().items
  t.equal(after.length, 34)
  t.match(after.find((p: { code: string }) => p.code === '15'), { fullName: 'Tỉnh Lào Cai', validFrom: '2025-07-01' })
  t.equal((await get('/v1/admin-units/provinces')).json().items.length, 34, 'default today')
  t.equal((await get('/v1/admin-units/provinces?asOf=2025-02-30')).statusCode, 400, 'not a calendar date')
  t.equal((await get('/v1/admin-units/provinces?asOf=yesterday')).statusCode, 400)
})

t.test('communes: name search with and without diacritics, by province, limited', async (t) => {
  const { get } = await setup(t)
  for (const q of ['hoan kiem', 'Hoàn Kiếm', 'phường hoàn kiếm']) {
    const res = await get(`/v1/admin-units/communes?q=${encodeURIComponent(q)}`)
    t.equal(res.statusCode, 200)
    t.ok(res.json().items.some((c: { code: string }) => c.code === '00070'), q)
  }
  const old = (await get('/v1/admin-units/communes?province=01&q=hang%20trong&asOf=2025-06-30')).json().items
  t.match(old, [{ code: '00070', fullName: 'Phường Hàng Trống', parentCode: '01' }])
  t.equal((await get('/v1/admin-units/communes?province=01&limit=500')).json().items.length, 126, 'Hà Nội has 126 communes')
  t.equal((await get('/v1/admin-units/communes?limit=501')).statusCode, 400)
  t.equal((await get('/v1/admin-units/communes?limit=abc')).statusCode, 400)
  const gone = await get('/v1/admin-units/communes?province=02')
  t.equal(gone.statusCode, 404, 'province 02 (Hà Giang) is no province today')
  t.equal(gone.json().code, 'NOT_FOUND')
  t.equal((await get('/v1/admin-units/communes?province=02&asOf=2025-01-01')).statusCode, 200)
})

t.test('one code on a date: 00070 and 15 before and after the reform', async (t) => {
  const { get } = await setup(t)
  const before = await get('/v1/admin-units/00070?asOf=2025-06-30')
  t.equal(before.statusCode, 200)
  const b = before.json()
  t.match(b, { code: '00070', level: 'commune', unit: { fullName: 'Phường Hàng Trống', validTo: '2025-06-30' } })
  t.same(b.successors.map((s: { unit: { code: string }, kind: string }) => [s.unit.code, s.kind]).sort(), [['00070', 'partial'], ['00082', 'partial']])
  t.same(b.history.map((u: { fullName: string }) => u.fullName), ['Phường Hàng Trống', 'Phường Hoàn Kiếm'])
  const after = (await get('/v1/admin-units/00070?level=commune&asOf=2025-07-01')).json()
  t.match(after, { unit: { fullName: 'Phường Hoàn Kiếm', validFrom: '2025-07-01' }, successors: [{ unit: { code: '00070' }, kind: 'full' }] })
  t.ok(after.predecessors.some((p: { unit: { fullName: string } }) => p.unit.fullName === 'Phường Hàng Trống'))

  t.match((await get('/v1/admin-units/15?asOf=2024-01-01')).json(), {
    unit: { name: 'Yên Bái' }, successors: [{ unit: { code: '15', name: 'Lào Cai' }, kind: 'full' }]
  })
  t.match((await get('/v1/admin-units/15?level=province')).json(), { unit: { name: 'Lào Cai' } })

  const old = (await get('/v1/admin-units/00001')).json()
  t.match(old, { unit: null, history: [{ fullName: 'Phường Phúc Xá' }] }, 'a code that means nothing today')
  t.ok(old.successors.length > 0, '… still says what it became')

  const unknown = await get('/v1/admin-units/99999')
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().code, 'NOT_FOUND')
  const noLevel = await get('/v1/admin-units/001')
  t.equal(noLevel.statusCode, 400, 'a 3-digit code needs a level')
  t.match(noLevel.json(), { code: 'VALIDATION_FAILED', errors: [{ path: '/query/level' }] })
  t.equal((await get('/v1/admin-units/001?level=province')).statusCode, 400, 'and is no province code')
  t.equal((await get('/v1/admin-units/15?level=commune')).statusCode, 400)
  t.equal((await get('/v1/admin-units/15?level=district')).statusCode, 400)
  t.equal((await get('/v1/admin-units/00070?asOf=2025-13-01')).statusCode, 400)
})

t.test('the communes of a province are pages that say when there is more (issue 15 item 5)', async (t) => {
  const { get } = await setup(t)
  const first = (await get('/v1/admin-units/communes?province=79')).json()
  t.equal(first.items.length, 50, 'default limit 50')
  t.type(first.nextCursor, 'string', '168 communes: the page says there is more')
  const codes: string[] = first.items.map((c: { code: string }) => c.code)
  let cursor: string | null = first.nextCursor
  while (cursor !== null) {
    const page = (await get(`/v1/admin-units/communes?province=79&cursor=${cursor}`)).json()
    codes.push(...page.items.map((c: { code: string }) => c.code))
    cursor = page.nextCursor
  }
  t.equal(codes.length, 168)
  t.equal(new Set(codes).size, 168, 'each commune once')
})

t.test('an old code read today shows what it became (issue 15 item 6)', async (t) => {
  const { get } = await setup(t)
  const today = (await get('/v1/admin-units/26812')).json()
  t.equal(today.unit, null, '26812 is no commune today')
  t.same(today.successors.map((s: { unit: { code: string } }) => s.unit.code), ['26809'])
  const past = (await get('/v1/admin-units/26812?asOf=2025-06-30')).json()
  t.same(today.successors, past.successors, 'the same successors whatever asOf')
})

t.test('resolve a batch, in order', async (t) => {
  const { app, headers } = await setup(t)
  const split = app.adminUnits.communes({ asOf: '2025-06-30', limit: 10_000 })
    .find((c) => (app.adminUnits.get(c.code, 'commune', '2025-06-30')?.successors.length ?? 0) > 1)
  t.ok(split, 'a commune split between several new ones')
  const items = [
    { communeCode: '00004', asOf: '2024-01-01' },
    { communeCode: split?.code, asOf: '2024-01-01' },
    { communeCode: '99999' },
    { districtCode: '001', asOf: '2025-08-01' },
    { provinceCode: '15', asOf: '2020-05-01' }
  ]
  const res = await app.inject({ method: 'POST', url: '/v1/admin-units/resolve', headers, payload: { items } })
  t.equal(res.statusCode, 200)
  const [old, ambiguous, unknown, district, province] = res.json().results
  t.match(old, { status: 'resolved', kind: 'full', commune: { code: '00004', fullName: 'Phường Ba Đình' }, readAs: { asOf: '2024-01-01', commune: { fullName: 'Phường Trúc Bạch' } } })
  t.notOk('input' in old)
  t.equal(ambiguous.status, 'ambiguous')
  t.ok(ambiguous.candidates.length > 1)
  t.match(ambiguous.candidates[0], { code: String, fullName: String, level: 'commune', kind: 'partial' })
  t.match(unknown, { status: 'not_found', reason: String })
  t.match(district, { status: 'invalid', reason: /before 2025-07-01/ })
  t.match(province, { status: 'resolved', province: { code: '15', fullName: 'Tỉnh Lào Cai' } })
})

t.test('resolve input limits', async (t) => {
  const { app, headers } = await setup(t)
  const post = async (payload: unknown): Promise<number> =>
    (await app.inject({ method: 'POST', url: '/v1/admin-units/resolve', headers, payload: payload as object })).statusCode
  const many = Array.from({ length: 1001 }, () => ({ provinceCode: '01' }))
  t.equal(await post({ items: many }), 400, '1001 items')
  t.equal(await post({ items: many.slice(1) }), 200, '1000 items')
  t.equal(await post({ items: [] }), 400, 'empty')
  t.equal(await post({ items: [{ communeCode: '70' }] }), 400, 'code pattern')
  t.equal(await post({ items: [{ communeName: 'x'.repeat(201) }] }), 400, 'name length')
  t.equal(await post({ items: [{ provinceCode: '01', extra: 1 }] }), 400, 'unknown field')
  t.equal(await post({ items: [{ provinceCode: '01', asOf: '2025-02-30' }] }), 400, 'bad date')
  t.equal(await post({ items: [{ provinceCode: '01', date: '2025-01-01' }] }), 400, 'asOf, not date')
  t.equal(await post({ items: [{ provinceCode: '01' }], more: true }), 400)
})

t.test('resolve is rate limited like lookups and answers at most 10 candidates per result (issue 22 #9)', async (t) => {
  const app = await build(t, { env: { CLIENT_CACHE_TTL_MS: '0' } })
  const { secret } = await app.clients.create({ id: 'resolver', name: 'r', roles: ['system'] })
  await app.clients.patch('resolver', { limits: { perSecond: 2 } })
  const token = (await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: 'resolver', client_secret: secret } })).json().access_token
  const headers = { authorization: `Bearer ${token as string}` }
  const items = Array.from({ length: 200 }, () => ({ communeName: 'Phường 1' }))
  const first = await app.inject({ method: 'POST', url: '/v1/admin-units/resolve', headers, payload: { items } })
  t.equal(first.statusCode, 200)
  const r = first.json().results
  t.equal(r.length, 200, 'every item answered, in chunks')
  t.equal(r[0].status, 'ambiguous')
  t.equal(r[0].candidates.length, 10, 'candidates cut at 10')
  t.ok(r[0].candidatesTotal > 10, `and the number there were: ${r[0].candidatesTotal as number}`)
  const codes: number[] = []
  // until one is refused: two to a second can all pass only if the calls are spread over four seconds or more
  for (let i = 0; i < 8 && !codes.includes(429); i++) codes.push((await app.inject({ method: 'POST', url: '/v1/admin-units/resolve', headers, payload: { items: items.slice(0, 1) } })).statusCode)
  t.ok(codes.includes(429), `limited per client: ${codes.join(',')}`)
  const other = { authorization: `Bearer ${await tokenFor(app, ['system'])}` }
  t.equal((await app.inject({ method: 'POST', url: '/v1/admin-units/resolve', headers: other, payload: { items: items.slice(0, 1) } })).statusCode, 200, 'another client is served')
})

t.test('roles and OpenAPI', async (t) => {
  const app = await build(t)
  const auditor = { authorization: `Bearer ${await tokenFor(app, ['auditor'])}` }
  const admin = { authorization: `Bearer ${await tokenFor(app, ['admin'])}` }
  const forbidden = await app.inject({ url: '/v1/admin-units/provinces', headers: auditor })
  t.equal(forbidden.statusCode, 403)
  t.equal(forbidden.json().code, 'FORBIDDEN')
  t.equal((await app.inject({ method: 'POST', url: '/v1/admin-units/resolve', headers: auditor, payload: { items: [{ provinceCode: '01' }] } })).statusCode, 403)
  t.equal((await app.inject({ url: '/v1/admin-units/provinces', headers: admin })).statusCode, 200)
  const anonymous = await app.inject('/v1/admin-units/00070')
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.json().code, 'UNAUTHORIZED')
  const paths = (await app.inject('/openapi.json')).json().paths
  for (const path of ['/v1/admin-units/provinces', '/v1/admin-units/communes', '/v1/admin-units/{code}', '/v1/admin-units/resolve']) {
    t.ok(paths[path], path)
  }
  t.same(paths['/v1/admin-units/resolve'].post.tags, ['admin-units'])
})
