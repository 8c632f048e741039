import type pg from 'pg'
import { eventHash, GENESIS_HASH, type ChainedEvent } from './canonical.js'
import { eventsInOrder, hashAt } from './queries.js'
import { READER_ROLE } from './store.js'
import { withPoolClient } from '../db/pool.js'

export interface VerifyResult {
  ok: boolean
  /** Events whose hash and link were recomputed. */
  checked: number
  /** The first event (in chain order) whose content or link does not hold. */
  firstBadEventId?: string
  /** Why it failed, for people: `content` (fields changed), `link` (chain broken), `missing-predecessor`, `missing-tail`. */
  reason?: string
}

/**
 * Recomputes the hash chain over the events of [from, to] (all when neither is given): each event's hash from
 * its fields, and its link to the event before it — read from the trail, or from the anchor retention left
 * when that event's partition was dropped. Without a range, the last event must also be the chain head.
 */
export async function verifyChain (db: pg.Pool, range: { from?: Date, to?: Date } = {}): Promise<VerifyResult> {
  // One read-only snapshot for the whole check: the head and the events agree, whatever is written meanwhile.
  return await withPoolClient(db, async (c) => {
    await c.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL ROLE ${READER_ROLE}`)
    return await check(c, range)
  }, async (c) => await c.query('ROLLBACK'))
}

async function check (c: pg.PoolClient, range: { from?: Date, to?: Date }): Promise<VerifyResult> {
  const { rows: [h] } = await c.query<{ last_seq: string, last_hash: string }>('SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1')
  const head = { seq: h.last_seq, hash: h.last_hash }
  let checked = 0
  let prev: ChainedEvent | undefined
  const bad = (e: ChainedEvent, reason: string): VerifyResult => ({ ok: false, checked, firstBadEventId: e.id, reason })
  for await (const page of eventsInOrder(c, range, head.seq)) {
    for (const e of page) {
      checked++
      if (eventHash(e) !== e.hash) return bad(e, 'content')
      const seq = BigInt(e.seq)
      let expected: string | undefined
      if (prev !== undefined && BigInt(prev.seq) === seq) return bad(e, 'link')
      if (prev !== undefined && BigInt(prev.seq) + 1n === seq) expected = prev.hash
      else if (seq === 1n) expected = GENESIS_HASH
      else expected = await hashAt(c, (seq - 1n).toString())
      if (expected === undefined) return bad(e, 'missing-predecessor')
      if (e.prevHash !== expected) return bad(e, 'link')
      prev = e
    }
  }
  if (range.from === undefined && range.to === undefined && head.seq !== '0' &&
    (prev === undefined || prev.seq !== head.seq || prev.hash !== head.hash)) {
    return { ok: false, checked, reason: 'missing-tail' }
  }
  return { ok: true, checked }
}
