/**
 * Procedures benchmark (issue 18): a national day of interlinked procedures — 3,800 birth and 1,650 death cases
 * (BENCH_BIRTHS, BENCH_DEATHS) — filed over HTTP (BENCH_CONCURRENCY in flight) to a gateway whose workers run the
 * steps against the simulators of the national systems (their usual answer times) and sync every sub-procedure to
 * the portal simulator. Reports cases completed per second (first filing → last step of the last case), the p99
 * and p50 of filing → last step per case, the time until the portal holds every status, and proves none lost or
 * doubled: every case completed, every step executed exactly once at its system, no portal item applied twice.
 *
 * REDIS_URL + DATABASE_URL: use those servers (a fresh database); otherwise private ones under a temporary folder.
 * Run alone: `npm run build && node dist/bench/procedures.js`.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { Pool } from 'undici'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { startLocalServices, type LocalServices } from '../src/dev/local-services.js'
import { citizensOf } from '../src/simulators/citizen/data.js'
import {
  createCivilStatusSimulator, createDvcqgSimulator, createPopulationSimulator, createResidenceSimulator, createSocialInsuranceSimulator,
  DEFAULT_SEED, NATIONAL_LATENCY_MS, type NationalSimulator
} from '../src/simulators/index.js'

const BIRTHS = Number(process.env.BENCH_BIRTHS ?? 3800)
const DEATHS = Number(process.env.BENCH_DEATHS ?? 1650)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64)
const MAX_MS = Number(process.env.BENCH_MAX_MS ?? 600_000)
const say = (m: string): void => { process.stderr.write(`[procedures] ${m}\n`) }
const pad = (n: number, w = 4): string => String(n).padStart(w, '0')
const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10)
const agencyOf = (i: number): string => `000.00.${pad(i % 20, 2)}.H01`

function birth (i: number, n: number): Record<string, unknown> {
  const agency = agencyOf(i)
  return {
    dossierCode: `${agency}-250715-${pad(Math.floor(i / 20) + 1)}`,
    agencyCode: agency,
    provinceCode: '01',
    communeCode: '00070',
    child: { fullName: `Trẻ ${n}`, dateOfBirth: today, gender: i % 2 === 0 ? 'male' : 'female', placeOfBirth: { communeCode: '00070' } },
    mother: { fullName: 'Trần Thị Bình', dateOfBirth: '1995-04-12', personalId: '001195012345' },
    father: { fullName: 'Nguyễn Văn An', dateOfBirth: '1990-02-01', personalId: '001090012345' },
    declarant: { fullName: 'Nguyễn Văn An', personalId: '001090012345', relationship: 'cha' },
    residence: { communeCode: '00070', address: '12 Hàng Trống', householdHeadPersonalId: '001090012345', householdHeadConsent: true },
    insurance: { initialCareFacility: '01001' },
    documents: [{ code: 'GCS', name: 'Giấy chứng sinh' }]
  }
}

const living = citizensOf(DEFAULT_SEED).filter((c) => c.status === 'alive')
const CHOICES = [[], ['funeral-allowance'], ['funeral-allowance', 'survivor-benefit']]

function death (i: number, n: number): Record<string, unknown> {
  const p = living[n]
  const agency = agencyOf(i)
  return {
    dossierCode: `${agency}-250715-${pad(Math.floor(i / 20) + 1)}`,
    agencyCode: agency,
    provinceCode: '01',
    communeCode: '00070',
    procedures: CHOICES[n % 3],
    deceased: { fullName: p.fullName, dateOfBirth: p.dateOfBirth, gender: p.gender, personalId: p.personalId },
    death: { date: today, place: 'Tại nhà', noticeNo: `GBT-${n}` },
    declarant: { fullName: 'Nguyễn Văn An', personalId: '001090012345', relationship: 'con' },
    residence: { communeCode: p.permanentAddress.communeCode, address: p.permanentAddress.detail },
    beneficiary: { fullName: 'Nguyễn Văn An', personalId: '001090012345', relationship: 'con', relativesConfirmed: true },
    documents: [{ code: 'GBT', name: 'Giấy báo tử' }]
  }
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0

async function main (): Promise<void> {
  let services: LocalServices | undefined
  let dir: string | undefined
  let redisUrl = process.env.REDIS_URL
  let adminUrl = process.env.DATABASE_URL
  if (redisUrl === undefined || adminUrl === undefined) {
    dir = await mkdtemp(join(tmpdir(), 'lienthong-bench-'))
    services = await startLocalServices({ dir })
    redisUrl = services.redisUrl
    adminUrl = services.databaseUrl
  }
  const dbName = `bench_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${dbName}`)
  const dbUrl = new URL(adminUrl)
  dbUrl.pathname = `/${dbName}`

  const sims: Record<string, NationalSimulator> = {
    civil: createCivilStatusSimulator({ latencyMs: NATIONAL_LATENCY_MS['civil-status'] }),
    population: createPopulationSimulator({ latencyMs: NATIONAL_LATENCY_MS['population-pin'] }),
    residence: createResidenceSimulator({ latencyMs: NATIONAL_LATENCY_MS.residence }),
    insurance: createSocialInsuranceSimulator({ latencyMs: NATIONAL_LATENCY_MS['social-insurance'] })
  }
  const portal = createDvcqgSimulator()
  const urls = Object.fromEntries(await Promise.all(Object.entries(sims).map(async ([k, s]) => [k, await s.listen(0)])))
  const portalUrl = await portal.listen(0)
  const runtime = { connections: 128, bulkhead: { maxConcurrent: 256, maxQueued: 10000 }, retries: { attempts: 0 } }
  const rest = (id: string, url: string, ops: Record<string, string>): Record<string, unknown> => ({
    id,
    type: 'rest-json',
    services: Object.keys(ops),
    provinces: null,
    enabled: true,
    config: { baseUrl: url, operations: Object.fromEntries(Object.entries(ops).map(([k, path]) => [k, { path }])), runtime }
  })
  const connectors = [
    rest('civil-status', urls.civil, { 'civil-status.birth.register': '/api/hotich/khai-sinh', 'civil-status.death.register': '/api/hotich/khai-tu' }),
    rest('population-pin', urls.population, { 'population.pin.issue': '/api/dancu/cap-so-dinh-danh' }),
    rest('residence', urls.residence, { 'residence.permanent.register': '/api/cutru/dang-ky-thuong-tru', 'residence.permanent.deregister': '/api/cutru/xoa-dang-ky-thuong-tru' }),
    rest('social-insurance', urls.insurance, { 'insurance.card.issue': '/api/bhxh/the-bhyt-tre-em', 'insurance.funeral.allowance': '/api/bhxh/tro-cap-mai-tang', 'insurance.survivor.benefit': '/api/bhxh/tu-tuat' }),
    {
      id: 'dvcqg-bench',
      type: 'dvcqg',
      services: ['dossier.sync', 'dossier.progress'],
      provinces: null,
      enabled: true,
      config: { baseUrl: portalUrl, username: 'lienthong', password: 'lienthong-sim', dstcode: 'G22', agencyCode: '000.00.01.H22', runtime: { connections: 128 } }
    }
  ]
  const config = loadConfig({
    REDIS_URL: redisUrl,
    DATABASE_URL: dbUrl.toString(),
    DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? '30',
    QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'warn',
    SECRET_HASH_COST: '1024',
    RATE_LIMIT_PER_SECOND: '1000000',
    WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY ?? '128',
    DELIVERY_ORDER_WAIT_MS: '200',
    CONNECTORS_FILE: 'test/fixtures/no-connectors.json',
    MAX_EVENT_LOOP_DELAY_MS: '0'
  })
  const app = await buildApp(config, { connectors: connectors as never, workers: true })
  const apiUrl = await app.listen({ port: 0, host: '127.0.0.1' })
  await app.clients.create({ id: 'bench-system', name: 'bench', roles: ['system'], grants: ['procedure.filing'], agencies: ['000.00.*.H01'] }) // the agencies of the filings (agencyOf)
  const token = app.tokens.issue((await app.clients.get('bench-system'))!).accessToken
  const http = new Pool(apiUrl, { connections: CONCURRENCY })

  const filings: Array<[string, Record<string, unknown>]> = []
  // interleaved as a day's filings are: about 7 births for 3 deaths
  let births = 0
  let deaths = 0
  for (let i = 0; i < BIRTHS + DEATHS; i++) {
    if (deaths < DEATHS && (births >= BIRTHS || i % 10 >= 7)) filings.push(['death', death(i, deaths++)])
    else filings.push(['birth', birth(i, births++)])
  }
  say(`filing ${filings.length} cases (${BIRTHS} births, ${DEATHS} deaths), ${CONCURRENCY} in flight`)
  const started = Date.now()
  let next = 0
  const refused: string[] = []
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < filings.length) {
      const [group, body] = filings[next++]
      const res = await http.request({ method: 'POST', path: `/v1/procedures/${group}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
      const text = await res.body.text()
      if (res.statusCode !== 202) refused.push(`${res.statusCode} ${text.slice(0, 200)}`)
    }
  }))
  const filedMs = Date.now() - started
  say(`filed in ${filedMs} ms (${refused.length} refused)`)

  const count = async (sql: string): Promise<number> => Number((await app.db.query(sql)).rows[0].n)
  let done = 0
  while (Date.now() - started < MAX_MS) {
    done = await count("SELECT count(*) AS n FROM procedure_cases WHERE status IN ('completed', 'completed-with-failures', 'cancelled', 'needs-attention')")
    if (done >= filings.length - refused.length) break
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  const stepsDoneMs = Date.now() - started
  say(`steps done in ${stepsDoneMs} ms; waiting for the portal`)
  while (Date.now() - started < MAX_MS && await count("SELECT count(*) AS n FROM deliveries WHERE status <> 'delivered'") > 0) {
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  const portalDoneMs = Date.now() - started

  const { rows } = await app.db.query<{ ms: number }>('SELECT EXTRACT(EPOCH FROM (finished_at - filed_at)) * 1000 AS ms FROM procedure_cases WHERE finished_at IS NOT NULL ORDER BY 1')
  const latencies = rows.map((r) => Number(r.ms))
  const lastFinished = await app.db.query<{ ms: number }>('SELECT EXTRACT(EPOCH FROM (max(finished_at) - min(filed_at))) * 1000 AS ms FROM procedure_cases')
  const steps = await count('SELECT count(*) AS n FROM procedure_steps')
  const completedSteps = await count("SELECT count(*) AS n FROM procedure_steps WHERE status = 'completed'")
  const executions = Object.values(sims).reduce((n, s) => n + s.ledger.stats().executions, 0)
  const doubled = Object.values(sims).reduce((n, s) => n + s.ledger.duplicates().length, 0)
  const spanMs = Number(lastFinished.rows[0].ms)
  const result = {
    cases: filings.length,
    births: BIRTHS,
    deaths: DEATHS,
    refused: refused.length,
    refusedSample: refused.slice(0, 3),
    filedPerSecond: Math.round(filings.length / (filedMs / 1000)),
    completed: await count("SELECT count(*) AS n FROM procedure_cases WHERE status = 'completed'"),
    notCompleted: filings.length - refused.length - await count("SELECT count(*) AS n FROM procedure_cases WHERE status = 'completed'"),
    casesPerSecond: Math.round(latencies.length / (spanMs / 1000) * 10) / 10,
    dayInSeconds: Math.round(spanMs / 100) / 10,
    filingToLastStepMs: { p50: Math.round(pct(latencies, 0.5)), p99: Math.round(pct(latencies, 0.99)), max: Math.round(latencies.at(-1) ?? 0) },
    stepCalls: { steps, completed: completedSteps, executedAtSystems: executions, executedTwice: doubled },
    portal: { deliveries: await count('SELECT count(*) AS n FROM deliveries'), undelivered: await count("SELECT count(*) AS n FROM deliveries WHERE status <> 'delivered'"), appliedTwice: portal.portal.duplicates().length, allDeliveredAfterS: Math.round(portalDoneMs / 100) / 10 },
    stepsDoneAfterS: Math.round(stepsDoneMs / 100) / 10,
    lostOrDoubled: filings.length - refused.length - latencies.length + doubled + (executions - completedSteps)
  }
  console.log(JSON.stringify(result, null, 2))
  console.log(`| procedures | ${result.cases} cases | ${result.casesPerSecond} cases/s | p99 ${result.filingToLastStepMs.p99} ms | lost or doubled ${result.lostOrDoubled} |`)

  await http.close()
  await app.close()
  await Promise.all([...Object.values(sims), portal].map(async (s) => { await s.close() }))
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {})
  await admin.end()
  await services?.stop()
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
}

await main()
