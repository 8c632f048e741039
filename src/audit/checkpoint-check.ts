import { checkpointSignatureHolds, checkpointText, FIRST_PREV, type Checkpoint } from './checkpoint.js'
import type { Anchor } from './chain-walk.js'
import type { Trust } from './checkpoint-service.js'

export type CheckpointReason =
  | 'unknown-key' | 'key-not-valid' | 'signature' | 'timestamp' | 'link' | 'missing' | 'order'
  | 'not-in-database' | 'differs-from-witness'

export interface CheckpointProblem { n: string, reason: CheckpointReason, detail?: string }

export interface CheckpointsResult {
  checked: number
  /** Checkpoints whose signature, time-stamp (when present) and link hold: the anchors events are checked against. */
  valid: Checkpoint[]
  timestamped: number
  /** Checkpoints without a token although a TSA is trusted (it did not answer then, or AUDIT_TSA_EVERY > 1). */
  untimestamped: number
  /** Tokens present but not checked: no TSA certificate is trusted here. */
  timestampsNotChecked: number
  problems: CheckpointProblem[]
}

/** A time-stamp may lag its checkpoint by the TSA round trip; more than this is a finding. */
const TIMESTAMP_SKEW_MS = 5 * 60_000

/** Signature (a published key, valid at the checkpoint's time) and time-stamp (imprint, trusted TSA, time). */
async function checkOne (c: Checkpoint, trust: Trust): Promise<CheckpointProblem | undefined> {
  const key = trust.keys.keyFor(c.kid, c.at)
  if (key === 'unknown') return { n: c.n, reason: 'unknown-key', detail: `no published key ${c.kid}` }
  if (key === 'not-valid') return { n: c.n, reason: 'key-not-valid', detail: `key ${c.kid} was not valid at ${c.at}` }
  if (!checkpointSignatureHolds(c, key)) return { n: c.n, reason: 'signature' }
  if (c.timestamp === null || trust.tsaCerts.length === 0) return undefined
  const { verifyToken } = await import('./tsa/token.js')
  const token = await verifyToken(Buffer.from(c.timestamp, 'base64'), Buffer.from(checkpointText(c)), trust.tsaCerts)
  if (!token.ok) return { n: c.n, reason: 'timestamp', detail: token.reason }
  if (Math.abs(token.genTime.getTime() - Date.parse(c.at)) > TIMESTAMP_SKEW_MS) {
    return { n: c.n, reason: 'timestamp', detail: `time-stamped at ${token.genTime.toISOString()}, far from the checkpoint's ${c.at}` }
  }
  return undefined
}

/**
 * Checks checkpoints given in `n` order: each one on its own (above), then the chain of the valid ones — each
 * names the digest of the valid one before it, numbers leave no gap, positions never go back. `complete`: the list
 * starts at the first checkpoint (so number 1 must chain to nothing and a list starting later is a gap).
 */
export async function checkCheckpoints (list: Checkpoint[], trust: Trust, complete: boolean): Promise<CheckpointsResult> {
  const problems: CheckpointProblem[] = []
  const valid: Checkpoint[] = []
  let timestamped = 0
  let untimestamped = 0
  let timestampsNotChecked = 0
  let expectedN = complete ? 1n : undefined
  let last: Checkpoint | undefined
  for (const c of list) {
    const n = BigInt(c.n)
    if (expectedN !== undefined && n > expectedN) {
      problems.push({ n: expectedN.toString(), reason: 'missing', detail: n - 1n === expectedN ? undefined : `checkpoints ${expectedN} to ${n - 1n} are missing` })
    }
    expectedN = n + 1n
    const problem = await checkOne(c, trust)
    if (problem !== undefined) { problems.push(problem); continue }
    if (c.timestamp !== null && trust.tsaCerts.length === 0) timestampsNotChecked++
    else if (c.timestamp !== null) timestamped++
    else if (trust.tsaCerts.length > 0) untimestamped++
    const prevDigest = last?.digest ?? (n === 1n ? FIRST_PREV : undefined)
    if (prevDigest !== undefined && c.prev !== prevDigest) { problems.push({ n: c.n, reason: 'link', detail: 'does not name the digest of the checkpoint before it' }); continue }
    if (last !== undefined && BigInt(c.seq) < BigInt(last.seq)) { problems.push({ n: c.n, reason: 'order', detail: 'its position is before the previous checkpoint\'s' }); continue }
    valid.push(c)
    last = c
  }
  return { checked: list.length, valid, timestamped, untimestamped, timestampsNotChecked, problems }
}

/**
 * Compares a witness (checkpoints kept outside the database, already checked) with the database's: each must
 * be there, unchanged. Returns the problems and the witness checkpoints the database lacks or differs from,
 * which then anchor the events as well.
 */
export function compareWitness (database: Checkpoint[], witness: Checkpoint[]): { problems: CheckpointProblem[], extra: Checkpoint[] } {
  const byN = new Map(database.map((c) => [c.n, c]))
  const problems: CheckpointProblem[] = []
  const extra: Checkpoint[] = []
  for (const w of witness) {
    const d = byN.get(w.n)
    if (d === undefined) { problems.push({ n: w.n, reason: 'not-in-database' }); extra.push(w) } else if (d.digest !== w.digest) { problems.push({ n: w.n, reason: 'differs-from-witness' }); extra.push(w) }
  }
  return { problems, extra }
}

export const anchorsOf = (checkpoints: Checkpoint[]): Anchor[] => checkpoints.map((c) => ({ n: c.n, seq: c.seq, hash: c.hash }))
