/**
 * What one audit row costs PostgreSQL, part by part (issue 19, deliverable 3): the trail's writer (AuditStore, COPY)
 * appending the same lookup events to databases that differ in one thing each — an index left out or of another
 * kind, a column of another type — and a prototype of one row per batch. Each variant has its own database in one
 * private cluster (fsync on); alternated rounds, medians.
 *
 *   npm run bench:audit-row          # build, then node dist/bench/audit-row.js (≈ 2 min)
 *
 * BENCH_AUDIT_EVENTS per round (default 20,000), BENCH_AUDIT_BATCH events per batch (default 125: 50 ms of
 * 2,500 lookups/s, AUDIT_FLUSH_MS's default), BENCH_AUDIT_ROUNDS (default 5), BENCH_AUDIT_ONLY (labels' keys,
 * comma-separated). Two figures per variant: the CPU of the writer's own backend (from /proc/<pid>/schedstat, in
 * ns, so single µs show), and of every PostgreSQL process (adds the WAL writer, checkpointer and autovacuum, which
 * run when they run: noisier). A CHECKPOINT before each round, so that each starts with the same full-page writes.
 * Writes bench/results/audit-row.{json,md}.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { migrate } from '../src/db/migrate.js'
import { withTransaction } from '../src/db/pool.js'
import { fromRoot } from '../src/lib/repo-root.js'
import { AuditKeyring, prepare } from '../src/audit/prepare.js'
import { AuditStore } from '../src/audit/store.js'
import { links, type ChainLink, type PreparedEvent } from '../src/audit/canonical.js'
import { COPY_COLUMNS, copyText } from '../src/audit/copy-rows.js'
import { services } from './lib/services.js'
import { cpuNs, postgresCpuNs } from './lib/pg-cpu.js'
import { lookupAuditInput } from './lib/audit-event.js'

const EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 20_000)
const BATCH = Number(process.env.BENCH_AUDIT_BATCH ?? 125)
const ROUNDS = Number(process.env.BENCH_AUDIT_ROUNDS ?? 5)
const ONLY = (process.env.BENCH_AUDIT_ONLY ?? '').split(',').filter((k) => k !== '')

type Append = (pool: pg.Pool, events: PreparedEvent[]) => Promise<unknown>
interface Variant { key: string, label: string, setup: (pool: pg.Pool) => Promise<unknown>, append?: Append }

const SECONDARY = 'audit_events_subjects, audit_events_seq, audit_events_trace, audit_events_client, audit_events_case'
const TRACE_HASH = 'DROP INDEX audit_events_trace; CREATE INDEX audit_events_trace ON audit_events USING hash (trace_id) WHERE trace_id IS NOT NULL'
const DETAILS_JSON = 'ALTER TABLE audit_events ALTER details TYPE json USING details::json'
const BYTEA = `ALTER TABLE audit_events ALTER request_hash TYPE bytea USING decode(request_hash, 'hex'),
  ALTER response_hash TYPE bytea USING decode(response_hash, 'hex'), ALTER prev_hash TYPE bytea USING decode(prev_hash, 'hex'),
  ALTER hash TYPE bytea USING decode(hash, 'hex')`
const BLOCKS = `CREATE TABLE audit_blocks (first_seq bigint PRIMARY KEY, last_seq bigint NOT NULL, at timestamptz NOT NULL, body text NOT NULL, hash text NOT NULL);
  ALTER TABLE audit_blocks ALTER body SET STORAGE EXTERNAL;
  CREATE TABLE audit_block_subjects (subject text NOT NULL, seq bigint NOT NULL);
  CREATE INDEX audit_block_subjects_subject ON audit_block_subjects (subject)`

const all: Variant[] = [
  { key: 'shipped', label: 'the writer as shipped (COPY; PK + 5 secondary indexes, GIN on subjects)', setup: async () => {} },
  { key: 'no-gin', label: 'without the GIN on subjects', setup: async (p) => await p.query('DROP INDEX audit_events_subjects') },
  { key: 'trace-hash', label: 'trace index: hash instead of B-tree', setup: async (p) => await p.query(TRACE_HASH) },
  { key: 'details-json', label: 'details as json instead of jsonb', setup: async (p) => await p.query(DETAILS_JSON) },
  { key: 'bytea', label: 'the four hashes as bytea instead of hex text', setup: async (p) => await p.query(BYTEA), append: byteaAppend },
  { key: 'json-hash', label: 'details as json + trace index hash (every search kept)', setup: async (p) => { await p.query(DETAILS_JSON); await p.query(TRACE_HASH) } },
  { key: 'pk-only', label: 'no secondary index (primary key only)', setup: async (p) => await p.query(`DROP INDEX ${SECONDARY}`) },
  { key: 'no-index', label: 'no index at all (the heap row and its WAL)', setup: async (p) => { await p.query(`DROP INDEX ${SECONDARY}`); await p.query('ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey') } },
  { key: 'blocks', label: 'prototype: one row per batch (the COPY text as its body, stored uncompressed) + a subjects side table', setup: async (p) => await p.query(BLOCKS), append: blockAppend }
]
const variants = all.filter((v) => ONLY.length === 0 || ONLY.includes(v.key))

const keys = new AuditKeyring('bench-audit-key-0123456789abcdef0123456789')
const request = '{"purpose":"1.000894","subject":{"personalId":"0792030012%s"}}'
const answer = '{"personalId":"0792030012%s","fullName":"Nguyễn Văn An","dateOfBirth":"1990-01-01","sex":"male","permanentAddress":{"province":"79","commune":"26734"}}'
let n = 0
function event (): PreparedEvent {
  const i = n++
  const tail = String(i % 100).padStart(2, '0')
  return prepare(lookupAuditInput(i, request.replace('%s', tail), answer.replace('%s', tail), [`0792030012${tail}`]), keys)
}

/** The events' positions and hashes after the chain head, which the transaction now holds. */
async function chainedAtHead (c: pg.PoolClient, events: PreparedEvent[]): Promise<ChainLink[]> {
  const head = (await c.query<{ last_seq: string, last_hash: string }>('SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE')).rows[0]
  return links(events, BigInt(head.last_seq), head.last_hash)
}

/** The writer's three round trips, as the superuser, with the hashes sent as bytea (`\x` + hex in COPY's text format). */
async function byteaAppend (pool: pg.Pool, events: PreparedEvent[]): Promise<void> {
  await withTransaction(pool, 'BEGIN', async (c) => {
    const chained = await chainedAtHead(c, events)
    const rows = copyText(events, chained).split('\n').map((line) => {
      if (line === '') return line
      const f = line.split('\t')
      for (const k of [20, 21, 25, 26]) if (f[k] !== '\\N') f[k] = '\\\\x' + f[k]
      return f.join('\t')
    }).join('\n')
    await pipeline(Readable.from([rows]), c.query(copyFrom(`COPY audit_events (${COPY_COLUMNS}) FROM STDIN`)))
    const last = chained[chained.length - 1]
    await c.query('UPDATE audit_chain_head SET last_seq = $1, last_hash = $2 WHERE id = 1', [last.seq, last.hash])
  })
}

/** The prototype: the batch's COPY text stored as one row, the subjects one row each in a side table. */
async function blockAppend (pool: pg.Pool, events: PreparedEvent[]): Promise<void> {
  await withTransaction(pool, 'BEGIN', async (c) => {
    const chained = await chainedAtHead(c, events)
    const first = chained[0]
    const last = chained[chained.length - 1]
    await c.query('INSERT INTO audit_blocks (first_seq, last_seq, at, body, hash) VALUES ($1, $2, $3, $4, $5)',
      [first.seq, last.seq, events[0].at, copyText(events, chained), last.hash])
    const subjects = events.flatMap((e, i) => e.subjects.map((s) => `${s}\t${chained[i].seq}\n`)).join('')
    await pipeline(Readable.from([subjects]), c.query(copyFrom('COPY audit_block_subjects (subject, seq) FROM STDIN')))
    await c.query('UPDATE audit_chain_head SET last_seq = $1, last_hash = $2 WHERE id = 1', [last.seq, last.hash])
  })
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const r1 = (x: number): number => Math.round(x * 10) / 10

async function main (): Promise<void> {
  const dir = fromRoot('bench/results')
  mkdirSync(dir, { recursive: true })
  const svc = await services(join(dir, 'audit-row'), {}, (m) => process.stderr.write(`${m}\n`))
  const made: Array<Variant & { pool: pg.Pool, pid: number, append: Append, backend: number[], all: number[] }> = []
  try {
    for (const v of variants) {
      // one connection kept for the whole run, so that its backend's CPU is the writer's
      const pool = new pg.Pool({ connectionString: await svc.database('bench_audit_row'), max: 1, idleTimeoutMillis: 0 })
      pool.on('error', () => {}) // an idle connection ended by the cluster's shutdown at the end
      await migrate(pool)
      await v.setup(pool)
      const pid = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid
      const store = new AuditStore(pool)
      made.push({ ...v, pool, pid, append: v.append ?? (async (_p, events) => await store.append(events, false)), backend: [], all: [] })
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const v of round % 2 === 0 ? made : [...made].reverse()) {
        const batches = Array.from({ length: Math.ceil(EVENTS / BATCH) }, () => Array.from({ length: BATCH }, event))
        await v.append(v.pool, Array.from({ length: BATCH }, event)) // warm: plans, the partition seen
        await v.pool.query('CHECKPOINT')
        const b0 = cpuNs(v.pid)
        const a0 = postgresCpuNs()
        for (const b of batches) await v.append(v.pool, b)
        const events = batches.length * BATCH
        v.backend.push((cpuNs(v.pid) - b0) / 1000 / events)
        v.all.push((postgresCpuNs() - a0) / 1000 / events)
        process.stderr.write(`round ${round + 1}/${ROUNDS} ${v.key}: backend ${r1(v.backend[round])} µs, all ${r1(v.all[round])} µs per event\n`)
      }
    }
  } finally {
    for (const v of made) await v.pool.end()
    await svc.close()
  }
  const rows = made.map((v) => ({ key: v.key, label: v.label, backendUs: r1(median(v.backend)), allUs: r1(median(v.all)), backendRounds: v.backend.map(r1), allRounds: v.all.map(r1) }))
  const base = rows.find((r) => r.key === 'shipped')
  const md = [
    `PostgreSQL CPU per audit event, batches of ${BATCH}, ${EVENTS} events per round, medians of ${ROUNDS} alternated rounds (bench/audit-row.ts)`,
    '',
    '| variant | writer\'s backend µs | vs shipped | all PostgreSQL µs | rounds (backend) |',
    '|---|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.label} | ${r.backendUs} | ${base === undefined ? '' : r1(r.backendUs - base.backendUs)} | ${r.allUs} | ${r.backendRounds.join(', ')} |`)
  ].join('\n')
  writeFileSync(join(dir, 'audit-row.json'), JSON.stringify({ at: new Date().toISOString(), batch: BATCH, events: EVENTS, rounds: ROUNDS, rows }, null, 2))
  writeFileSync(join(dir, 'audit-row.md'), md + '\n')
  process.stdout.write(md + '\n')
}

await main()
