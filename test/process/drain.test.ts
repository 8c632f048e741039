import t from 'tap'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { build, testDatabase, tokenFor, upstream } from '../helper.js'
import { AGENCIES, dossier, FAST_ENV, GRANTS, portalInstance, post, startPortal, statusCounts, waitFor } from '../deliveries/helper.js'
import { startEntry } from './helper.js'

// Graceful drain as a load balancer sees it, with the real processes (src/server.ts, src/worker.ts) and SIGTERM.
t.setTimeout(240_000)

const REDIS_URL = process.env.REDIS_URL ?? ''
const ADMIN = { id: 'drain-admin', secret: 'drain-admin-secret-0123' }
const CITIZEN = { personalId: '079203001234', fullName: 'Nguyễn Văn A', dateOfBirth: '2003-01-01', gender: 'male', nationality: 'VN', permanentAddress: { provinceCode: '79', communeCode: '26740', detail: '1 Lê Lợi' }, status: 'alive' }

async function json (url: string, init: { method?: 'GET' | 'POST', headers?: Record<string, string>, body?: string } = {}): Promise<{ status: number, body: any, headers: Record<string, unknown> }> {
  // One connection per request (reset): the draining gateway closes idle keep-alive connections, a reuse race otherwise.
  const res = await request(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body, reset: true })
  const text = await res.body.text()
  return { status: res.statusCode, body: text === '' ? undefined : JSON.parse(text), headers: res.headers }
}

t.test('gateway on SIGTERM: readiness false first while serving, the request in flight finishes, then it stops and exits 0', async (t) => {
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  let arrived: () => void = () => {}
  const inFlight = new Promise<void>((resolve) => { arrived = resolve })
  const upUrl = await upstream(t, (up) => up.post('/lookup', async () => { arrived(); await gate; return CITIZEN }))
  const dir = await mkdtemp(join(tmpdir(), 'lienthong-drain-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const connectorsFile = join(dir, 'connectors.json')
  await writeFile(connectorsFile, JSON.stringify({ connectors: [{ id: 'population', type: 'rest-json', services: ['citizen.lookup'], config: { baseUrl: upUrl, operations: { 'citizen.lookup': { path: '/lookup' } } } }] }))

  const gw = await startEntry(t, 'server', {
    REDIS_URL,
    DATABASE_URL: await testDatabase(t),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_BUFFER_BYTES: '0',
    DATA_DIR: dir,
    CONNECTORS_FILE: connectorsFile,
    LIENTHONG_ADMIN_ID: ADMIN.id,
    LIENTHONG_ADMIN_SECRET: ADMIN.secret,
    SECRET_HASH_COST: '1024',
    WORKERS: 'false',
    DRAIN_DELAY_MS: '1500',
    HEALTH_PROBE_INTERVAL_MS: '0'
  }, /Server listening at http:\/\/127\.0\.0\.1:\d+/)
  const base = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(gw.output())?.[1] as string

  const token = async (id: string, secret: string): Promise<string> =>
    (await json(`${base}/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', client_id: id, client_secret: secret }) })).body.access_token
  const admin = await token(ADMIN.id, ADMIN.secret)
  const created = await json(`${base}/v1/admin/clients`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ id: 'drain-system', name: 'drain', roles: ['system'], grants: ['citizen.lookup'] }) })
  const system = await token('drain-system', created.body.secret)
  t.equal((await json(`${base}/health/ready`)).status, 200, 'ready before')

  const lookup = json(`${base}/v1/lookups/citizen.lookup`, { method: 'POST', headers: { authorization: `Bearer ${system}`, 'x-purpose': '1.000894', 'content-type': 'application/json' }, body: JSON.stringify({ personalId: '079203001234' }) })
  await inFlight
  gw.child.kill('SIGTERM')
  await waitFor(async () => (await json(`${base}/health/ready`)).status === 503, 1000, 'readiness false')
  const ready = await json(`${base}/health/ready`)
  t.same(ready.body, { status: 'draining', checks: {} }, 'readiness says draining')
  const live = await json(`${base}/health/live`)
  t.equal(live.status, 200, 'still serving new requests while draining')
  t.equal(live.headers.connection, 'close', 'and closing keep-alive connections after each answer')
  release()
  const answered = await lookup
  t.equal(answered.status, 200, 'the lookup in flight is answered')
  t.equal(answered.body.data.fullName, CITIZEN.fullName)
  const [code, signal] = await gw.exited
  t.same({ code, signal }, { code: 0, signal: null }, 'a clean exit')
  t.match(gw.output(), /draining: readiness is false, still serving/)
  await t.rejects(json(`${base}/health/live`), 'no longer listening')
})

t.test('worker on SIGTERM: the jobs in hand are delivered, no new job is taken, exit 0', async (t) => {
  const portal = await startPortal(t)
  const app = await build(t, { connectors: [portalInstance(portal.url)], workers: false, env: FAST_ENV })
  const token = await tokenFor(app, ['system'], GRANTS, AGENCIES)
  portal.faults.set({ latencyMs: 700 }) // auth and call within the instance's 3 s deadline
  const worker = await startEntry(t, 'worker', {
    DATABASE_URL: app.config.databaseUrl,
    REDIS_URL: app.config.redisUrl,
    QUEUE_PREFIX: app.config.queuePrefix,
    LOG_BUFFER_BYTES: '0',
    WORKER_CONCURRENCY: '8',
    DELIVERY_LOCK_MS: '5000',
    DELIVERY_ORDER_WAIT_MS: '50',
    CONNECTORS_FILE: 'test/fixtures/no-connectors.json'
  }, 'delivery worker started')
  for (let n = 1; n <= 4; n++) t.equal((await post(app, token, '/v1/dossiers', dossier(n))).statusCode, 202)
  await waitFor(async () => (await statusCounts(app)).delivering === 4, 20_000, 'four deliveries in hand')
  worker.child.kill('SIGTERM')
  await new Promise((resolve) => setTimeout(resolve, 200))
  for (let n = 5; n <= 7; n++) t.equal((await post(app, token, '/v1/dossiers', dossier(n))).statusCode, 202)
  const [code, signal] = await worker.exited
  t.same({ code, signal }, { code: 0, signal: null }, 'a clean exit')
  t.same(await statusCounts(app), { delivered: 4, queued: 3 }, 'the four in hand delivered; the three accepted after SIGTERM left for another worker')
  t.equal(portal.portal.store.size, 4)
})
