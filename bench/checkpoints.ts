/**
 * Cost of the audit checkpoints (issue 20): one checkpoint round (head read, Ed25519 signature, insert, witness
 * append + fsync) without and with an RFC 3161 time-stamp (the development TSA, in this process), and the
 * verification of a checkpoint (signature and token). Run by `npm run bench` after the other parts, or alone:
 *
 *   npm run build && DATABASE_URL=postgres://… node dist/bench/checkpoints.js
 *
 * BENCH_CHECKPOINTS rounds per variant (default 200). Prints one JSON object, then a one-line markdown summary.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { migrate } from '../src/db/migrate.js'
import { AuditKeyring, prepare } from '../src/audit/prepare.js'
import { AuditStore } from '../src/audit/store.js'
import { startCheckpoints } from '../src/audit/checkpoint-service.js'
import { checkCheckpoints } from '../src/audit/checkpoint-check.js'
import type { Checkpoint } from '../src/audit/checkpoint.js'
import { newTsaIdentity } from '../src/dev/tsa-cert.js'
import { startDevTsa } from '../src/dev/tsa.js'

const ROUNDS = Number(process.env.BENCH_CHECKPOINTS ?? 200)
const adminUrl = process.env.DATABASE_URL
if (adminUrl === undefined) throw new Error('DATABASE_URL is not set')

const quiet = { info: () => {}, error: (o: object, m: string) => { process.stderr.write(`${m} ${JSON.stringify(o)}\n`) } }
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]
const r2 = (x: number): number => Math.round(x * 100) / 100

/** A checkpoint service of its own (witness, instance) over the shared key and database; rounds on demand. */
async function service (name: string, pool: pg.Pool, dir: string, tsa?: { url: string, certFile: string }): ReturnType<typeof startCheckpoints> {
  const cfg = {
    intervalMs: 0,
    signingKeyFile: join(dir, 'key.pem'),
    createSigningKey: true,
    publicKeysFile: join(dir, 'keys.json'),
    witnessDir: join(dir, `witness-${name}`),
    witnessMaxBytes: 16 << 20,
    instance: `bench-${name}`,
    tsa,
    tsaEvery: 1,
    tsaTimeoutMs: 5000
  }
  return await startCheckpoints(cfg, pool, `bench${name}`, quiet)
}

async function variant (name: string, pool: pg.Pool, dir: string, tsa?: { url: string, certFile: string }): Promise<{ name: string, wallMsMedian: number, wallMsP99: number, cpuUsPerCheckpoint: number, checkpoints: Checkpoint[] }> {
  const svc = await service(name, pool, dir, tsa)
  const store = new AuditStore(pool)
  const keys = new AuditKeyring('bench-audit-key-0123456789abcdef')
  const walls: number[] = []
  let cpu = 0
  const made: Checkpoint[] = []
  for (let i = 0; i < ROUNDS; i++) {
    await store.append([prepare({ kind: 'lookup', outcome: 'ok', clientId: 'bench', subjects: ['079203001234'] }, keys)], false)
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    const cp = await svc.checkpointer.tick(true)
    walls.push(performance.now() - t0)
    const c = process.cpuUsage(c0)
    cpu += c.user + c.system
    if (cp !== undefined) made.push(cp)
  }
  await svc.checkpointer.close(10_000)
  return { name, wallMsMedian: r2(pct(walls, 0.5)), wallMsP99: r2(pct(walls, 0.99)), cpuUsPerCheckpoint: Math.round(cpu / ROUNDS), checkpoints: made }
}

const dbName = `bench_cp_${randomBytes(4).toString('hex')}`
const admin = new pg.Client({ connectionString: adminUrl })
await admin.connect()
await admin.query(`CREATE DATABASE ${dbName}`)
const url = new URL(adminUrl)
url.pathname = `/${dbName}`
const pool = new pg.Pool({ connectionString: url.toString(), max: 2 })
pool.on('error', () => {}) // the database is dropped with FORCE at the end
const dir = await mkdtemp(join(tmpdir(), 'lienthong-bench-cp-'))
const devTsa = await startDevTsa({ identity: await newTsaIdentity() })
try {
  await migrate(pool)
  const certFile = join(dir, 'tsa.pem')
  await writeFile(certFile, devTsa.certPem)
  const plain = await variant('signed', pool, dir)
  const stamped = await variant('timestamped', pool, dir, { url: devTsa.url, certFile })
  const svc = await service('verify', pool, dir, { url: devTsa.url, certFile })
  const t0 = performance.now()
  const checked = await checkCheckpoints(stamped.checkpoints, svc.trust, false)
  const verifyUs = Math.round((performance.now() - t0) * 1000 / Math.max(1, stamped.checkpoints.length))
  await svc.checkpointer.close(10_000)
  const intervalS = 5
  const result = {
    rounds: ROUNDS,
    signed: { wallMsMedian: plain.wallMsMedian, wallMsP99: plain.wallMsP99, cpuUsPerCheckpoint: plain.cpuUsPerCheckpoint },
    timestamped: { wallMsMedian: stamped.wallMsMedian, wallMsP99: stamped.wallMsP99, cpuUsPerCheckpoint: stamped.cpuUsPerCheckpoint, tsaInProcess: true },
    verifyUsPerTimestampedCheckpoint: verifyUs,
    verifiedOk: checked.problems.length === 0 && checked.timestamped === stamped.checkpoints.length,
    // one checkpoint per AUDIT_CHECKPOINT_INTERVAL_MS (default 5 s) while events flow
    coreShareAtDefaultInterval: { signed: `${r2(plain.cpuUsPerCheckpoint / (intervalS * 1e6) * 100)} %`, timestamped: `${r2(stamped.cpuUsPerCheckpoint / (intervalS * 1e6) * 100)} %` }
  }
  console.log(JSON.stringify(result, null, 2))
  console.log(`| checkpoint round: signed ${plain.wallMsMedian} ms (p99 ${plain.wallMsP99}), ${plain.cpuUsPerCheckpoint} µs CPU; with RFC 3161 token ${stamped.wallMsMedian} ms (p99 ${stamped.wallMsP99}), ${stamped.cpuUsPerCheckpoint} µs CPU (TSA in process); verify ${verifyUs} µs per checkpoint; at one per 5 s: ${result.coreShareAtDefaultInterval.timestamped} of a core |`)
} finally {
  await devTsa.close()
  await pool.end()
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
  await admin.end()
  await rm(dir, { recursive: true, force: true })
}
