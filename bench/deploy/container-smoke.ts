/**
 * The image run for real (scripts/container-smoke.sh builds it first): PostgreSQL and Redis started on the host for
 * the run, the simulators on the host, then from the image — the migrations as the schema owner, the gateway as a
 * least-privilege login (MIGRATIONS=off, read-only root filesystem, NODE_ENV=production) and a worker-only
 * container. Checks readiness (and the image's HEALTHCHECK), a token, a lookup answered by a simulator, a dossier
 * delivered to the portal simulator by the worker container, a clean SIGTERM of both (exit code 0). Every port is
 * chosen free at run time; the containers use the host's network.
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { request } from 'undici'
import { startLocalServices } from '../../src/dev/local-services.js'
import { freePort } from '../../src/dev/free-port.js'
import { SIMULATOR_VARS } from '../../src/embedded.js'
import { sampleIds, startSimulators } from '../../src/simulators/index.js'
import { dossier } from '../chaos/bodies.js'
import { logsOf, podman, stateOf } from './podman.js'

const IMAGE = process.env.IMAGE ?? 'localhost/lienthong-gateway:smoke'
const ADMIN = { id: 'smoke-admin', secret: randomBytes(18).toString('base64url') }
const say = (msg: string): void => { console.log(`smoke: ${msg}`) }

async function http (method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number, json: any }> {
  const res = await request(url, {
    method,
    headers: body !== undefined ? { 'content-type': 'application/json', ...headers } : headers,
    body: body !== undefined ? JSON.stringify(body) : undefined,
    headersTimeout: 10_000,
    bodyTimeout: 10_000
  })
  const text = await res.body.text()
  let json: unknown
  try { json = JSON.parse(text) } catch { json = text }
  return { status: res.statusCode, json }
}

async function until<T> (what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const got = await probe().catch(() => undefined)
    if (got !== undefined) return got
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`)
    await sleep(250)
  }
}

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lienthong-smoke-'))
  await chmod(dir, 0o711) // traversable by the postgres user the private PostgreSQL runs as (we are root)
  const names: string[] = []
  const services = await startLocalServices({ dir: join(dir, 'services'), fast: true })
  const sims = await startSimulators({ host: '127.0.0.1' })
  const tag = randomBytes(3).toString('hex')
  try {
    say(`host services: ${services.redisUrl} ${services.databaseUrl}; simulators on ${Object.values(sims.urls).length} free ports`)
    const ownerUrl = services.databaseUrl
    const login = `lienthong_app_${tag}`
    const password = randomBytes(12).toString('base64url')
    const runtimeUrl = new URL(ownerUrl)
    runtimeUrl.username = login
    runtimeUrl.password = password
    const port = await freePort()
    const base = `http://127.0.0.1:${port}`
    const common = [
      '--network=host', '--read-only', '--cap-drop=ALL', '--security-opt=no-new-privileges',
      '-e', `REDIS_URL=${services.redisUrl}`, '-e', `SECRETS_KEY=smoke:${randomBytes(32).toString('base64')}`,
      '-e', `AUDIT_KEY=${randomBytes(32).toString('base64url')}`, '-e', 'QUEUE_PREFIX={lienthong}', '-e', 'LOG_LEVEL=warn'
    ]

    // 1. The migrations Job: the image's migrate command, as the owner.
    const migrated = await podman(['run', '--rm', ...common, '-e', `DATABASE_URL=${ownerUrl}`, IMAGE, 'node', 'dist/src/migrate.js'], 120_000)
      .catch((err: Error) => { throw new Error(`migrations: ${err.message}`) })
    say(`migrations as the owner: ok${migrated !== '' ? ` (${migrated})` : ''}`)
    const admin = new pg.Client({ connectionString: ownerUrl })
    await admin.connect()
    await admin.query(`CREATE ROLE ${login} LOGIN PASSWORD '${password}' IN ROLE lienthong_runtime`)
    await admin.end()

    // 2. The gateway: least-privilege login, no DDL at start, read-only root filesystem, simulators as its upstreams.
    const simVars = Object.entries(sims.urls).flatMap(([id, url]) => ['-e', `${SIMULATOR_VARS[id]}=${url}`])
    const gateway = `lienthong-smoke-gw-${tag}`
    names.push(gateway)
    const t0 = Date.now()
    await podman(['run', '-d', '--name', gateway, ...common, '-e', `DATABASE_URL=${runtimeUrl.toString()}`, '-e', `PORT=${port}`, '-e', 'HOST=127.0.0.1',
      '-e', 'WORKERS=false', '-e', 'CONNECTORS_FILE=config/connectors.json', ...simVars,
      '-e', `LIENTHONG_ADMIN_ID=${ADMIN.id}`, '-e', `LIENTHONG_ADMIN_SECRET=${ADMIN.secret}`, '-e', 'DRAIN_DELAY_MS=1000',
      '--health-interval=disable', IMAGE])
    await until('gateway readiness', 90_000, async () => {
      const s = await stateOf(gateway)
      if (!s.running) throw new Error(`gateway exited (${s.exitCode}): ${await logsOf(gateway)}`)
      return (await http('GET', `${base}/health/ready`)).status === 200 ? true : undefined
    }).catch(async (err: Error) => { throw new Error(`${err.message}\n${await logsOf(gateway)}`) })
    say(`gateway ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (as ${login}, MIGRATIONS=off, read-only root)`)
    await podman(['healthcheck', 'run', gateway]).catch((err: Error) => { throw new Error(`HEALTHCHECK: ${err.message}`) })
    say('image HEALTHCHECK: healthy')

    // 3. A token, a client, a lookup answered by the citizen simulator.
    const adminToken = (await http('POST', `${base}/v1/auth/token`, { grant_type: 'client_credentials', client_id: ADMIN.id, client_secret: ADMIN.secret })).json.access_token as string
    if (typeof adminToken !== 'string') throw new Error('no admin token')
    const created = await http('POST', `${base}/v1/admin/clients`, { id: 'smoke-system', name: 'smoke', roles: ['system'], grants: ['citizen.lookup', 'dossier.sync', 'dossier.progress'], agencies: ['000.00.01.H22'] }, { authorization: `Bearer ${adminToken}` })
    if (created.status !== 201) throw new Error(`client creation: ${created.status} ${JSON.stringify(created.json)}`)
    const token = (await http('POST', `${base}/v1/auth/token`, { grant_type: 'client_credentials', client_id: 'smoke-system', client_secret: created.json.secret })).json.access_token as string
    say('token: ok')
    const personalId = sampleIds()['citizen.lookup'][0].personalId
    const lookup = await http('POST', `${base}/v1/lookups/citizen.lookup`, { personalId }, { authorization: `Bearer ${token}`, 'x-purpose': '1.000894' })
    if (lookup.status !== 200 || lookup.json.data?.personalId !== personalId) throw new Error(`lookup: ${lookup.status} ${JSON.stringify(lookup.json)}`)
    say(`lookup through the simulator: 200 (${String(lookup.json.meta?.connector)})`)

    // 4. The worker container delivers a dossier to the portal simulator.
    const worker = `lienthong-smoke-worker-${tag}`
    names.push(worker)
    await podman(['run', '-d', '--name', worker, ...common, '-e', `DATABASE_URL=${runtimeUrl.toString()}`, '--no-healthcheck', IMAGE,
      'node', '--max-old-space-size=192', '--import', './dist/src/tracing.js', 'dist/src/worker.js'])
    const body = dossier(1)
    const accepted = await http('POST', `${base}/v1/dossiers`, body, { authorization: `Bearer ${token}`, 'x-purpose': '1.000894', 'idempotency-key': `smoke-${tag}` })
    if (accepted.status !== 202) throw new Error(`dossier: ${accepted.status} ${JSON.stringify(accepted.json)}`)
    const id = String(accepted.json.deliveryId)
    await until('delivery by the worker container', 60_000, async () => {
      const d = await http('GET', `${base}/v1/deliveries/${id}`, undefined, { authorization: `Bearer ${token}` })
      return d.json.status === 'delivered' ? true : undefined
    }).catch(async (err: Error) => { throw new Error(`${err.message}\n${await logsOf(worker)}`) })
    if (sims.sims.dvcqg.portal.countApplied(String(body.code)) !== 1) throw new Error('the portal simulator did not receive the dossier exactly once')
    say('dossier delivered to the portal simulator by the worker container: once')

    // 5. SIGTERM: both drain and exit 0.
    for (const name of [gateway, worker]) {
      const t1 = Date.now()
      await podman(['stop', '--time', '30', name], 60_000)
      const s = await stateOf(name)
      if (s.exitCode !== 0) throw new Error(`${name} exited ${s.exitCode} on SIGTERM: ${await logsOf(name)}`)
      say(`${name.includes('-gw-') ? 'gateway' : 'worker'}: SIGTERM → exit 0 in ${((Date.now() - t1) / 1000).toFixed(1)} s`)
    }
    say('PASS')
  } finally {
    for (const name of names) await podman(['rm', '-f', '-v', name]).catch(() => {})
    await sims.close()
    await services.stop().catch(() => {})
    await rm(dir, { recursive: true, force: true }).catch(() => {})
  }
}

main().then(() => process.exit(0), (err: Error) => { console.error(`smoke: FAIL: ${err.message}`); process.exit(1) })
