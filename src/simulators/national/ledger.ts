import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { contentHash } from '../../lib/canonical-json.js'
import { bodyOf, invalidRequest } from '../replies.js'
import type { Prng } from '../seed/prng.js'

/** What a national system decides about one step: done (with outputs), documents missing, or refused. */
export type Decision =
  | { result: 'completed', reference: string, outputs: Record<string, unknown> }
  | { result: 'supplement-required', missing: Array<{ code: string, name: string }> }
  | { result: 'refused', reason: string }

interface Entry { bodyHash: string, answer: Promise<Record<string, unknown>>, calls: number }

export interface LedgerOptions {
  /** Typical answer time of the system (ms): each answer takes between half and one and a half of it. */
  latencyMs?: number
}

/**
 * The idempotency of a national system's step calls: each call carries a step key (`idempotency-key` header); the
 * first call with a key executes (counted), every later one — a retry after a timeout, after a gateway crash —
 * gets the same answer without executing again (`replayed: true`). A key sent with another body is refused (422).
 * Counts per key let tests prove that nothing was executed twice.
 */
export class StepLedger {
  readonly #entries = new Map<string, Entry>()
  readonly #executions = new Map<string, number>()
  readonly #forced: Array<Decision> = []
  readonly #rng: Prng
  latencyMs: number

  constructor (rng: Prng, opts: LedgerOptions = {}) {
    this.#rng = rng
    this.latencyMs = opts.latencyMs ?? 0
  }

  /** Calls per key (replays included). */
  calls (key: string): number { return this.#entries.get(key)?.calls ?? 0 }

  /** Executions per key: 1 for a correct client, whatever the retries. */
  executions (key: string): number { return this.#executions.get(key) ?? 0 }

  /** Every key with its executions. */
  executed (): Map<string, number> { return new Map(this.#executions) }

  /** Keys executed more than once (never, by construction: a check of the ledger itself). */
  duplicates (): string[] { return [...this.#executions].filter(([, n]) => n > 1).map(([k]) => k) }

  /** The next `count` executions answer this decision (fault injection: a refusal, a supplement request). */
  force (count: number, decision: Decision): void {
    for (let i = 0; i < count; i++) this.#forced.push(decision)
  }

  clear (): void {
    this.#entries.clear()
    this.#executions.clear()
    this.#forced.length = 0
  }

  stats (): { keys: number, calls: number, executions: number } {
    let calls = 0
    for (const e of this.#entries.values()) calls += e.calls
    let executions = 0
    for (const n of this.#executions.values()) executions += n
    return { keys: this.#entries.size, calls, executions }
  }

  async #delay (): Promise<void> {
    if (this.latencyMs > 0) await sleep(Math.round(this.latencyMs * (0.5 + this.#rng.next())))
  }

  /** A route handler running `decide` once per step key. */
  handler (decide: (body: Record<string, unknown>) => Decision): (req: FastifyRequest, reply: FastifyReply) => Promise<unknown> {
    return async (req, reply) => {
      const key = req.headers['idempotency-key']
      if (typeof key !== 'string' || key === '' || key.length > 200) return invalidRequest(reply, 'an idempotency-key header (the step key) is required')
      const body = bodyOf(req)
      const bodyHash = contentHash(body)
      const known = this.#entries.get(key)
      if (known !== undefined) {
        known.calls++
        if (known.bodyHash !== bodyHash) return await reply.code(422).send({ error: 'STEP_KEY_REUSED', message: 'this step key was used with another request' })
        const answer = await known.answer
        await this.#delay()
        return { ...answer, replayed: true }
      }
      const answer = (async () => {
        await this.#delay()
        this.#executions.set(key, (this.#executions.get(key) ?? 0) + 1)
        const decision = this.#forced.shift() ?? decide(body)
        return { stepKey: key, ...decision, processedAt: new Date().toISOString() }
      })()
      this.#entries.set(key, { bodyHash, answer, calls: 1 })
      return await answer
    }
  }

  /** The control API of the ledger under `/_sim/steps` (never faulted). */
  routes (app: FastifyInstance): void {
    app.get('/_sim/steps', async () => ({ ...this.stats(), duplicates: this.duplicates(), executed: Object.fromEntries(this.#executions) }))
    app.delete('/_sim/steps', async () => { this.clear(); return { ok: true } })
    app.post('/_sim/steps/force', {
      schema: {
        body: {
          type: 'object',
          required: ['count', 'result'],
          additionalProperties: false,
          properties: {
            count: { type: 'integer', minimum: 0, maximum: 100000 },
            result: { type: 'string', enum: ['refused', 'supplement-required'] },
            reason: { type: 'string', maxLength: 500 }
          }
        }
      }
    }, async (req) => {
      const { count, result, reason } = req.body as { count: number, result: 'refused' | 'supplement-required', reason?: string }
      this.force(count, result === 'refused'
        ? { result, reason: reason ?? 'refused (simulated)' }
        : { result, missing: [{ code: 'BS', name: reason ?? 'Giấy tờ bổ sung' }] })
      return { ok: true }
    })
  }
}
