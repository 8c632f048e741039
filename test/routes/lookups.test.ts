import t from 'tap'
import { build, simConnectors, tokenFor, upstream, type TestLike } from '../helper.js'
import { startSimulators, sampleIds, unknownIds } from '../../src/simulators/index.js'
import type { FastifyInstance } from 'fastify'

const ALL = ['citizen.lookup', 'land.parcel.lookup', 'tax.taxpayer.lookup', 'insurance.coverage.lookup']

async function setup (t: TestLike): Promise<{ app: FastifyInstance, token: string, sims: Awaited<ReturnType<typeof startSimulators>> }> {
  const sims = await startSimulators({ host: '127.0.0.1' })
  t.teardown(async () => { await sims.close() })
  const app = await build(t, { connectors: simConnectors(sims.urls) })
  const token = await tokenFor(app, ['system'], ALL)
  return { app, token, sims }
}

const lookup = async (app: FastifyInstance, token: string, service: string, payload: unknown, headers: Record<string, string> = { 'x-purpose': '1.000894' }) =>
  await app.inject({ method: 'POST', url: `/v1/lookups/${service}`, headers: { authorization: `Bearer ${token}`, ...headers }, payload: payload as object })

t.test('every sample of every service is found through the gateway, in the envelope of the contract', async (t) => {
  const { app, token } = await setup(t)
  const samples = sampleIds()
  for (const service of ALL) {
    for (const body of (samples as Record<string, object[]>)[service].slice(0, 4)) {
      const res = await lookup(app, token, service, body)
      t.equal(res.statusCode, 200, `${service} ${res.body.slice(0, 200)}`)
      const json = res.json()
      t.equal(json.meta.service, service)
      t.type(json.meta.connector, 'string')
      t.match(json.meta.traceId, /^[0-9a-f]{32}$/)
      t.type(json.meta.durationMs, 'number')
      t.type(json.data, 'object')
    }
  }
})

t.test('a citizen is found by PIN and the data matches it', async (t) => {
  const { app, token } = await setup(t)
  const body = sampleIds()['citizen.lookup'][0]
  const res = await lookup(app, token, 'citizen.lookup', body, { 'x-purpose': '1.000894', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' })
  t.equal(res.statusCode, 200)
  t.equal(res.json().data.personalId, body.personalId)
  t.equal(res.json().meta.traceId, '0af7651916cd43dd8448eb211c80319c', 'the caller trace is honoured')
  t.match(res.headers.traceparent, /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/)
  t.type(res.headers['x-request-id'], 'string')
})

t.test('unknown subject upstream → 404; role, grant, service and purpose are checked in order', async (t) => {
  const { app, token } = await setup(t)
  const missing = await lookup(app, token, 'citizen.lookup', unknownIds()['citizen.lookup'][0])
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().code, 'NOT_FOUND')

  const unknown = await lookup(app, token, 'weather.lookup', {})
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().code, 'SERVICE_NOT_FOUND')

  const narrow = await tokenFor(app, ['system'], ['tax.taxpayer.lookup'])
  const ungranted = await lookup(app, narrow, 'citizen.lookup', sampleIds()['citizen.lookup'][0])
  t.equal(ungranted.statusCode, 403)
  t.equal(ungranted.json().code, 'FORBIDDEN')

  const auditor = await tokenFor(app, ['auditor'], ALL)
  t.equal((await lookup(app, auditor, 'citizen.lookup', sampleIds()['citizen.lookup'][0])).statusCode, 403, 'wrong role')

  const noPurpose = await lookup(app, token, 'citizen.lookup', sampleIds()['citizen.lookup'][0], {})
  t.equal(noPurpose.statusCode, 400)
  t.equal(noPurpose.json().code, 'PURPOSE_REQUIRED')
})

t.test('bad bodies → 400 VALIDATION_FAILED naming the field; oversize → 413; the gateway keeps serving', async (t) => {
  const { app, token } = await setup(t)
  const cases: Array<[string, unknown, string]> = [
    ['citizen.lookup', { personalId: '07920300123' }, '/personalId'],
    ['citizen.lookup', { personalId: '003203001234' }, '/personalId'],
    ['citizen.lookup', { personalId: 79203001234 }, '/personalId'],
    ['citizen.lookup', { personalId: '079203001234', extra: 1 }, '/extra'],
    ['citizen.lookup', {}, '/personalId'],
    ['tax.taxpayer.lookup', { taxCode: '0100109107' }, '/taxCode'],
    ['tax.taxpayer.lookup', { taxCode: '0100109106-000' }, '/taxCode'],
    ['insurance.coverage.lookup', { socialInsuranceCode: '123456789' }, '/socialInsuranceCode'],
    ['insurance.coverage.lookup', { healthInsuranceCardNo: 'HS6010120878811' }, '/healthInsuranceCardNo'],
    ['land.parcel.lookup', { parcelId: 'w3gvk1abcdef' }, '/parcelId']
  ]
  for (const [service, body, path] of cases) {
    const res = await lookup(app, token, service, body)
    t.equal(res.statusCode, 400, `${service} ${JSON.stringify(body)}`)
    const json = res.json()
    t.equal(json.code, 'VALIDATION_FAILED')
    t.ok(json.errors.some((e: { path: string }) => e.path === `/body${path}`), `names /body${path}: ${JSON.stringify(json.errors)}`)
  }
  const malformed = await app.inject({ method: 'POST', url: '/v1/lookups/citizen.lookup', headers: { authorization: `Bearer ${token}`, 'x-purpose': 'x', 'content-type': 'application/json' }, payload: '{"personalId": ' })
  t.equal(malformed.statusCode, 400)
  t.equal(malformed.json().code, 'VALIDATION_FAILED')
  const huge = await app.inject({ method: 'POST', url: '/v1/lookups/citizen.lookup', headers: { authorization: `Bearer ${token}`, 'x-purpose': 'x', 'content-type': 'application/json' }, payload: JSON.stringify({ personalId: 'x'.repeat(2 * 1024 * 1024) }) })
  t.equal(huge.statusCode, 413)
  t.equal(huge.json().code, 'PAYLOAD_TOO_LARGE')
  t.equal((await lookup(app, token, 'citizen.lookup', sampleIds()['citizen.lookup'][0])).statusCode, 200, 'still serving')
})

t.test('upstream failures map to 504, 503, 502 and an open circuit answers fast 503 CIRCUIT_OPEN', async (t) => {
  let mode: 'slow' | 'error' | 'ok' = 'ok'
  const url = await upstream(t, (up) => up.post('/lookup', async (_req, reply) => {
    if (mode === 'slow') await new Promise((resolve) => setTimeout(resolve, 1500))
    if (mode === 'error') return await reply.code(500).send({ boom: true })
    return await reply.send({ personalId: '079203001234', fullName: 'Nguyễn Văn A', dateOfBirth: '2003-01-01', gender: 'male', nationality: 'VN', permanentAddress: { provinceCode: '79', communeCode: '26734', detail: '1 Lê Lợi' }, status: 'alive' })
  }))
  const app = await build(t, {
    connectors: [{
      id: 'flaky',
      type: 'rest-json',
      services: ['citizen.lookup'],
      provinces: null,
      enabled: true,
      config: { baseUrl: url, operations: { 'citizen.lookup': { path: '/lookup' } }, runtime: { headersTimeoutMs: 300, deadlineMs: 800, retries: { attempts: 1, baseDelayMs: 1, maxDelayMs: 2 }, breaker: { volumeThreshold: 4, errorThresholdPercentage: 50, resetTimeoutMs: 60000 } } }
    }]
  })
  const token = await tokenFor(app, ['system'], ['citizen.lookup'])
  const body = { personalId: '079203001234' }
  t.equal((await lookup(app, token, 'citizen.lookup', body)).statusCode, 200)
  mode = 'slow'
  const slow = await lookup(app, token, 'citizen.lookup', body)
  t.equal(slow.statusCode, 504)
  t.equal(slow.json().code, 'UPSTREAM_TIMEOUT')
  mode = 'error'
  const err = await lookup(app, token, 'citizen.lookup', body)
  t.equal(err.statusCode, 502)
  t.equal(err.json().code, 'UPSTREAM_ERROR')
  let open
  for (let i = 0; i < 6; i++) open = await lookup(app, token, 'citizen.lookup', body)
  t.equal(open?.statusCode, 503)
  t.equal(open?.json().code, 'CIRCUIT_OPEN')
  t.equal(open?.headers['retry-after'], '10')
})

t.test('a simulator that is down → 503 UPSTREAM_UNAVAILABLE', async (t) => {
  const { app, token, sims } = await setup(t)
  sims.sims.citizen.faults.set({ down: true })
  const res = await lookup(app, token, 'citizen.lookup', sampleIds()['citizen.lookup'][0])
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'UPSTREAM_UNAVAILABLE')
  sims.sims.citizen.faults.reset()
})
