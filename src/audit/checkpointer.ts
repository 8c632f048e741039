import type pg from 'pg'
import { FIRST_PREV, checkpointSignatureHolds, signCheckpoint, type Checkpoint } from './checkpoint.js'
import { checkpointsAfter, insertCheckpoint, lastCheckpoint } from './checkpoint-store.js'
import type { PublicKeySet, SigningKey } from './signing-keys.js'
import { WRITER_ROLE, withAuditRole } from './store.js'
import { readWitness, type WitnessFile } from './witness.js'
import type { AuditLog } from './writer.js'

/** Key of the advisory lock under which one instance at a time checkpoints (and reads what others made). */
const CHECKPOINT_LOCK = 727_020

export interface CheckpointerOptions {
  pool: pg.Pool
  key: SigningKey
  /** Published keys: checkpoints other instances made are checked with them before they are witnessed. */
  keys: PublicKeySet
  instance: string
  /** A checkpoint at most this often, when the chain head has moved. */
  intervalMs: number
  tsa?: { url: string, timeoutMs: number, every: number }
  witness: WitnessFile
  witnessDir: string
  tag: string
  log: AuditLog
}

export interface CheckpointerStats { made: number, timestamped: number, failures: number, lastAt: string | null }

/**
 * Signs the chain head at intervals (docs/audit.md §3): under an advisory lock, so that with several instances
 * one at a time extends the chain of checkpoints; reads the checkpoints the others made since, checks their
 * signature and link, and appends every checkpoint, its own and theirs, to this instance's witness file.
 * Depends only on the chain head (`audit_chain_head`: seq, hash), not on how events are written.
 */
export class Checkpointer {
  readonly #o: CheckpointerOptions
  /** The newest checkpoint this instance made or checked: the next one is chained to it. */
  #last: Checkpoint | undefined
  #timer: NodeJS.Timeout | undefined
  #running: Promise<Checkpoint | undefined> | undefined
  #warnedMissing = ''
  #warnedRewrite = ''
  readonly stats: CheckpointerStats = { made: 0, timestamped: 0, failures: 0, lastAt: null }

  constructor (opts: CheckpointerOptions) { this.#o = opts }

  /** Picks up the newest witnessed checkpoint (the chain continues from what this host saw), then ticks. */
  async start (): Promise<void> {
    const { checkpoints } = await readWitness(this.#o.witnessDir, this.#o.tag, 4)
    this.#last = checkpoints.at(-1)
    if (this.#o.intervalMs > 0) {
      this.#timer = setInterval(() => { void this.tick().catch(() => {}) }, this.#o.intervalMs)
      this.#timer.unref()
    }
  }

  get last (): Checkpoint | undefined { return this.#last }

  /**
   * One round: catch up with the checkpoints of other instances, then sign the head when it moved and the last
   * checkpoint is old enough (`force`: whatever its age — shutdown, tests). Resolves with the new checkpoint.
   */
  async tick (force = false): Promise<Checkpoint | undefined> {
    if (this.#running !== undefined) {
      await this.#running.catch(() => {})
      if (!force) return undefined
    }
    this.#running = this.#round(force)
    try {
      return await this.#running
    } catch (err) {
      this.stats.failures++
      this.#o.log.error({ err: (err as Error).message }, 'audit checkpoint failed')
      throw err
    } finally {
      this.#running = undefined
    }
  }

  async #round (force: boolean): Promise<Checkpoint | undefined> {
    const seen: Checkpoint[] = []
    const made = await withAuditRole(this.#o.pool, WRITER_ROLE, async (c): Promise<Checkpoint | undefined> => {
      const { rows: [lock] } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [CHECKPOINT_LOCK])
      if (!lock.ok) return undefined // another instance is at it
      const caughtUp = await this.#catchUp(c, seen)
      const { rows: [head] } = await c.query<{ last_seq: string, last_hash: string }>('SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1')
      const last = this.#last
      if (last !== undefined && head.last_seq === last.seq && head.last_hash !== last.hash) this.#rewritten(last)
      const due = force || last === undefined || Date.now() - Date.parse(last.at) >= this.#o.intervalMs / 2
      if (!caughtUp || head.last_seq === '0' || head.last_seq === last?.seq || !due) return undefined
      // Numbered after every checkpoint in the table, good or not, chained to the last good one.
      const top = await lastCheckpoint(c)
      const n = BigInt(top?.n ?? '0') > BigInt(last?.n ?? '0') ? top?.n : last?.n
      const cp = await this.#make((BigInt(n ?? '0') + 1n).toString(), head.last_seq, head.last_hash, last)
      await insertCheckpoint(c, cp)
      return cp
    }).catch(async (err: Error) => {
      await this.#o.witness.append(seen) // what was read and checked is witnessed all the same
      throw err
    })
    if (made !== undefined) {
      this.#last = made
      this.stats.made++
      this.stats.lastAt = made.at
      if (made.timestamp !== null) this.stats.timestamped++
    }
    await this.#o.witness.append(made === undefined ? seen : [...seen, made])
    return made
  }

  /**
   * Reads the checkpoints made since ours (all of them at the first start of a witness); each must be signed by a
   * published key and continue the chain. Resolves false while more remain to be read (up to 1000 per round).
   */
  async #catchUp (c: pg.PoolClient, seen: Checkpoint[]): Promise<boolean> {
    const last = this.#last
    const newer = await checkpointsAfter(c, last?.n ?? '0', 1000)
    if (newer.length === 0 && last !== undefined) {
      const top = await lastCheckpoint(c)
      if ((top === undefined || BigInt(top.n) < BigInt(last.n)) && this.#warnedMissing !== last.n) {
        this.#warnedMissing = last.n
        this.#o.log.error({ witnessed: last.n, inDatabase: top?.n ?? null }, 'audit checkpoints this instance witnessed are missing from the database')
      }
    }
    for (const cp of newer) {
      const key = this.#o.keys.keyFor(cp.kid, cp.at)
      const prev = this.#last?.digest ?? (cp.n === '1' ? FIRST_PREV : cp.prev)
      const problem = typeof key === 'string' ? `key ${key}` : !checkpointSignatureHolds(cp, key) ? 'signature' : cp.prev !== prev ? 'link' : undefined
      if (problem !== undefined) {
        // Not witnessed, and the chain goes on from the last good one: verification reports this one.
        this.#o.log.error({ n: cp.n, problem }, 'audit checkpoint in the database does not verify: left out of the witness')
        continue
      }
      seen.push(cp)
      this.#last = cp
    }
    return newer.length < 1000
  }

  /** The head is where the last checkpoint was, with another hash: the events were rewritten and re-hashed. */
  #rewritten (last: Checkpoint): void {
    if (this.#warnedRewrite === last.n) return
    this.#warnedRewrite = last.n
    this.stats.failures++
    this.#o.log.error({ checkpoint: last.n, seq: last.seq }, 'the audit chain head no longer has the hash of the last checkpoint: the trail was rewritten in the database')
  }

  async #make (n: string, seq: string, hash: string, last: Checkpoint | undefined): Promise<Checkpoint> {
    const cp = signCheckpoint({ n, seq, hash, at: new Date().toISOString(), prev: last?.digest ?? FIRST_PREV, kid: this.#o.key.kid, instance: this.#o.instance }, this.#o.key.privateKey)
    const tsa = this.#o.tsa
    if (tsa !== undefined && BigInt(n) % BigInt(tsa.every) === 0n) {
      try {
        const { fetchTimestamp } = await import('./tsa/client.js')
        cp.timestamp = (await fetchTimestamp(tsa.url, cp.digest, tsa.timeoutMs)).toString('base64')
      } catch (err) {
        // A checkpoint without its token is better than none: verification counts the ones without.
        this.#o.log.error({ n, err: (err as Error).message }, 'audit checkpoint made without a time-stamp: the time-stamping authority did not answer')
      }
    }
    return cp
  }

  /**
   * Shutdown: a last checkpoint of what was written (given up after `deadlineMs`: a database or TSA that does not
   * answer must not hold the shutdown), then the witness file is closed.
   */
  async close (deadlineMs: number): Promise<void> {
    clearInterval(this.#timer)
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, deadlineMs) })
    await Promise.race([this.tick(true).catch(() => {}), late])
    clearTimeout(timer)
    await this.#o.witness.close()
  }
}
