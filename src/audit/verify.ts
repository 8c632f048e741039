import type pg from 'pg'
import type { Checkpoint } from './checkpoint.js'
import { checkpointsAfter } from './checkpoint-store.js'
import { anchorsOf, checkCheckpoints, compareWitness, type CheckpointProblem, type CheckpointsResult } from './checkpoint-check.js'
import { ChainWalk, type WalkResult } from './chain-walk.js'
import type { Trust } from './checkpoint-service.js'
import { eventsInOrder, hashAt, where } from './queries.js'
import { READER_ROLE } from './store.js'
import { withPoolClient } from '../db/pool.js'

export interface VerifyResult extends Omit<WalkResult, 'coverage'> {
  coverage?: WalkResult['coverage']
  checkpoints?: {
    checked: number
    valid: number
    timestamped: number
    untimestamped: number
    timestampsNotChecked: number
    latest: { n: string, seq: string, at: string } | null
    problems: CheckpointProblem[]
    /** True when more problems were found than listed. */
    cut: boolean
  }
  witness?: { source: string, checkpoints: number, unreadable: number, problems: CheckpointProblem[], cut: boolean }
}

/** A witness given to verification: checkpoints kept outside the database (a local witness file, an auditor's copy). */
export interface Witness { source: string, checkpoints: Checkpoint[], unreadable: number }

type Range = { from?: Date, to?: Date }

const MAX_PROBLEMS = 100

/** The checkpoints part of a verification result (also printed by `lienthong audit verify`). */
export function checkpointsReport (checked: CheckpointsResult): NonNullable<VerifyResult['checkpoints']> {
  const latest = checked.valid.at(-1)
  return {
    checked: checked.checked,
    valid: checked.valid.length,
    timestamped: checked.timestamped,
    untimestamped: checked.untimestamped,
    timestampsNotChecked: checked.timestampsNotChecked,
    latest: latest === undefined ? null : { n: latest.n, seq: latest.seq, at: latest.at },
    problems: checked.problems.slice(0, MAX_PROBLEMS),
    cut: checked.problems.length > MAX_PROBLEMS
  }
}

/** Runs `fn` in one read-only snapshot as the reader role: the head, the checkpoints and the events agree. */
async function inSnapshot<T> (db: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  return await withPoolClient(db, async (c) => {
    await c.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL ROLE ${READER_ROLE}`)
    return await fn(c)
  }, async (c) => await c.query('ROLLBACK'))
}

async function head (c: pg.PoolClient): Promise<{ seq: string, hash: string }> {
  const { rows: [h] } = await c.query<{ last_seq: string, last_hash: string }>('SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1')
  return { seq: h.last_seq, hash: h.last_hash }
}

async function walk (c: pg.PoolClient, range: Range, w: ChainWalk, headSeq: string): Promise<void> {
  for await (const page of eventsInOrder(c, range, headSeq)) {
    for (const e of page) {
      await w.add(e)
      if (!w.going) return
    }
  }
}

const whole = (range: Range): boolean => range.from === undefined && range.to === undefined

/**
 * Recomputes the hash chain over the events of [from, to] (all when neither is given): each event's hash from
 * its fields, and its link to the event before it — read from the trail, or from the anchor retention left
 * when that event's partition was dropped. Without a range, the last event must also be the chain head.
 * This trusts the database; verifyTrail() does not.
 */
export async function verifyChain (db: pg.Pool, range: Range = {}): Promise<VerifyResult> {
  return await inSnapshot(db, async (c) => {
    const h = await head(c)
    const w = new ChainWalk([], async (seq) => await hashAt(c, seq))
    await walk(c, range, w, h.seq)
    const { coverage: _, ...r } = w.finish(whole(range) ? h : undefined)
    return r
  })
}

/** Checkpoints whose position lies in [lo, hi] (all when not given), in number order. */
async function loadCheckpoints (c: pg.PoolClient, bounds?: { lo: string, hi: string }): Promise<Checkpoint[]> {
  const out: Checkpoint[] = []
  let after = '0'
  for (;;) {
    const page = await checkpointsAfter(c, after, 1000)
    for (const cp of page) if (bounds === undefined || (BigInt(cp.seq) >= BigInt(bounds.lo) && BigInt(cp.seq) <= BigInt(bounds.hi))) out.push(cp)
    if (page.length < 1000) return out
    after = page[page.length - 1].n
  }
}

/**
 * Verification that trusts no one in the database (docs/audit.md §3): the signed checkpoints are checked with the
 * published keys and the trusted TSA certificate (signature, time-stamp, chain of checkpoints), compared with a
 * witness when one is given, and the events are checked against them — besides the chain itself. Reports which
 * events the checkpoints cover and which are newer than the last one.
 */
export async function verifyTrail (db: pg.Pool, range: Range, trust: Trust, witness?: Witness): Promise<VerifyResult> {
  return await inSnapshot(db, async (c) => {
    const h = await head(c)
    let bounds: { lo: string, hi: string } | undefined
    if (!whole(range)) {
      const f = where(range)
      const { rows: [b] } = await c.query<{ lo: string | null, hi: string | null }>(`SELECT min(seq) AS lo, max(seq) AS hi FROM audit_events WHERE ${f.sql}`, f.params)
      bounds = { lo: b.lo ?? '1', hi: b.hi ?? '0' }
    }
    const stored = await loadCheckpoints(c, bounds)
    const checked = await checkCheckpoints(stored, trust, bounds === undefined)
    const anchors = anchorsOf(checked.valid)
    let witnessReport: VerifyResult['witness']
    if (witness !== undefined) {
      const own = await checkCheckpoints(witness.checkpoints, trust, false)
      const inRange = bounds === undefined ? own.valid : own.valid.filter((w) => BigInt(w.seq) >= BigInt(bounds.lo) && BigInt(w.seq) <= BigInt(bounds.hi))
      const compared = compareWitness(stored, inRange)
      anchors.push(...anchorsOf(compared.extra))
      const problems = [...own.problems.filter((p) => p.reason !== 'missing' && p.reason !== 'link'), ...compared.problems]
      witnessReport = { source: witness.source, checkpoints: witness.checkpoints.length, unreadable: witness.unreadable, problems: problems.slice(0, MAX_PROBLEMS), cut: problems.length > MAX_PROBLEMS }
    }
    const w = new ChainWalk(anchors, async (seq) => await hashAt(c, seq))
    await walk(c, range, w, h.seq)
    const r: VerifyResult = w.finish(bounds === undefined ? h : undefined)
    r.checkpoints = checkpointsReport(checked)
    if (witnessReport !== undefined) r.witness = witnessReport
    if (checked.problems.length > 0 || (witnessReport?.problems.length ?? 0) > 0) r.ok = false
    return r
  })
}
