import { eventHash, GENESIS_HASH, type ChainedEvent } from './canonical.js'

/** A checkpoint's claim about the chain: the event at `seq` has hash `hash`. */
export interface Anchor { n: string, seq: string, hash: string }

/** Events named when a checkpoint does not match: those after the last matching checkpoint up to this one. */
export interface Altered {
  /** The checkpoint whose hash the events no longer give. */
  checkpoint: string
  afterSeq: string
  throughSeq: string
  /** Ids of the events in that range, oldest first (at most ALTERED_IDS; `cut` when there were more). */
  eventIds: string[]
  cut: boolean
}

export interface WalkResult {
  ok: boolean
  checked: number
  firstBadEventId?: string
  /** `content`, `link`, `missing-predecessor`, `missing-tail` (chain); `checkpoint` (a signed checkpoint disagrees). */
  reason?: string
  altered?: Altered
  coverage: { coveredThroughSeq: string | null, coveredEvents: number, newerEvents: number, firstNewerSeq: string | null }
}

const ALTERED_IDS = 1000

/**
 * Walks events in chain order: recomputes each hash from the fields, checks the link to the event before, and
 * compares the events at the positions signed checkpoints name with their hashes (docs/audit.md §3). A superuser
 * who rewrites an event and recomputes the chain keeps the first two checks quiet; the third names the events
 * between the last checkpoint that still matches and the first one that does not.
 * `predecessor(seq)`: the hash of an event that is not in the walk (retention anchors; undefined when unknown).
 */
export class ChainWalk {
  readonly #anchors = new Map<string, Anchor[]>()
  readonly #predecessor: (seq: string) => Promise<string | undefined>
  #prev: ChainedEvent | undefined
  #checked = 0
  #bad: { id?: string, reason: string } | undefined
  #altered: Altered | undefined
  /** Ids since the last matching checkpoint (for `altered`), and their first position. */
  #since: string[] = []
  #sinceFrom = '0'
  #coveredThrough: string | null = null
  #covered = 0
  #sinceCount = 0

  constructor (anchors: Anchor[], predecessor: (seq: string) => Promise<string | undefined>) {
    for (const a of anchors) {
      const list = this.#anchors.get(a.seq)
      if (list === undefined) this.#anchors.set(a.seq, [a])
      else list.push(a)
    }
    this.#predecessor = predecessor
  }

  /** False once the chain itself is broken: the walk stops there (the first broken event is the finding). */
  get going (): boolean { return this.#bad === undefined }

  get last (): ChainedEvent | undefined { return this.#prev }

  async add (e: ChainedEvent): Promise<void> {
    if (this.#bad !== undefined) return
    this.#checked++
    const prev = this.#prev
    if (eventHash(e) !== e.hash) { this.#bad = { id: e.id, reason: 'content' }; return }
    const seq = BigInt(e.seq)
    if (prev !== undefined && BigInt(prev.seq) >= seq) { this.#bad = { id: e.id, reason: 'link' }; return }
    let expected: string | undefined
    if (prev !== undefined && BigInt(prev.seq) + 1n === seq) expected = prev.hash
    else if (seq === 1n) expected = GENESIS_HASH
    else expected = await this.#predecessor((seq - 1n).toString())
    if (expected === undefined) { this.#bad = { id: e.id, reason: 'missing-predecessor' }; return }
    if (e.prevHash !== expected) { this.#bad = { id: e.id, reason: 'link' }; return }
    this.#prev = e
    if (this.#since.length === 0) this.#sinceFrom = (seq - 1n).toString()
    if (this.#since.length < ALTERED_IDS + 1) this.#since.push(e.id)
    this.#sinceCount++
    for (const a of this.#anchors.get(e.seq) ?? []) {
      this.#anchors.delete(e.seq)
      if (a.hash === e.hash) {
        if (this.#altered === undefined) {
          this.#coveredThrough = e.seq
          this.#covered += this.#sinceCount
        }
        this.#since = []
        this.#sinceCount = 0
      } else if (this.#altered === undefined) {
        this.#altered = { checkpoint: a.n, afterSeq: this.#sinceFrom, throughSeq: e.seq, eventIds: this.#since.slice(0, ALTERED_IDS), cut: this.#since.length > ALTERED_IDS }
      }
    }
  }

  /**
   * The result. `head` (a whole-trail walk): the chain head the database reports, which the last event must be;
   * and every checkpoint must have been met — one beyond the last event means covered events were removed.
   */
  finish (head?: { seq: string, hash: string }): WalkResult {
    const newer = this.#altered === undefined ? this.#sinceCount : 0
    const coverage = {
      coveredThroughSeq: this.#coveredThrough,
      coveredEvents: this.#covered,
      newerEvents: newer,
      firstNewerSeq: newer > 0 ? (BigInt(this.#sinceFrom) + 1n).toString() : null
    }
    const result: WalkResult = { ok: true, checked: this.#checked, coverage }
    if (this.#bad !== undefined) return { ...result, ok: false, firstBadEventId: this.#bad.id, reason: this.#bad.reason }
    const last = this.#prev
    if (head !== undefined && head.seq !== '0' && (last === undefined || last.seq !== head.seq || last.hash !== head.hash)) {
      return { ...result, ok: false, reason: 'missing-tail' }
    }
    if (this.#altered !== undefined) {
      return { ...result, ok: false, reason: 'checkpoint', firstBadEventId: this.#altered.eventIds[0], altered: this.#altered }
    }
    if (head !== undefined) {
      const beyond = [...this.#anchors.values()].flat().find((a) => last === undefined || BigInt(a.seq) > BigInt(last.seq))
      if (beyond !== undefined) {
        return { ...result, ok: false, reason: 'missing-tail', altered: { checkpoint: beyond.n, afterSeq: last?.seq ?? '0', throughSeq: beyond.seq, eventIds: [], cut: false } }
      }
    }
    return result
  }
}
