import { setTimeout as sleep } from 'node:timers/promises'
import { dossier, dossierCode, lookup, step } from './bodies.js'
import { NoAnswer, type Answer, type Balancer, type Token } from './client.js'

export interface DeliveryRecord {
  n: number
  kind: 'dossier' | 'step'
  code: string
  /** accepted: a 202 or 200 with a delivery id; unconfirmed: no such answer before the retry deadline; refused: a final 4xx. */
  outcome?: 'accepted' | 'unconfirmed' | 'refused'
  deliveryId?: string
  attempts: number
  last?: string
}

export interface LoadOptions {
  lookupsPerSecond: number
  dossiersPerSecond: number
  runId: string
  /** Deliveries are retried (same Idempotency-Key, any gateway) until this time, then left unconfirmed. */
  retryUntil: () => number
}

interface Second { sent: number, ok: number, errors: number, noAnswer: number }

const MAX_LOOKUPS_IN_FLIGHT = 256

/**
 * A steady open-loop load: lookups of every service and new dossiers (each followed by one processing step once
 * accepted), as a caller would send them: deliveries retried with the same Idempotency-Key after a 5xx, a 429 or no
 * answer at all, until a 202/200 says they are recorded. Counts every answer by kind, status and code, per second.
 */
export class Load {
  readonly outcomes = new Map<string, number>()
  /** The first body of each answer that carried no problem code (to tell whose answer it was). */
  readonly uncoded = new Map<string, unknown>()
  readonly seconds: Second[] = []
  readonly deliveries: DeliveryRecord[] = []
  /** Answers other than 2xx by 10-second window of the run: which fault did what. */
  readonly errorsByWindow = new Map<number, Map<string, number>>()
  skipped = 0
  #lookupsInFlight = 0
  #n = 0
  #dossiers = 0
  #timer: NodeJS.Timeout | undefined
  #started = 0
  readonly #pending = new Set<Promise<void>>()

  constructor (private readonly lb: Balancer, private readonly token: Token, private readonly opts: LoadOptions) {}

  start (): void {
    this.#started = Date.now()
    let lookupDebt = 0
    let dossierDebt = 0
    this.#timer = setInterval(() => {
      lookupDebt += this.opts.lookupsPerSecond / 10
      dossierDebt += this.opts.dossiersPerSecond / 10
      for (; lookupDebt >= 1; lookupDebt--) this.#track(this.#lookup(this.#n++))
      for (; dossierDebt >= 1; dossierDebt--) {
        const n = this.#dossiers++
        this.#track(this.#deliver({ n, kind: 'dossier', code: dossierCode(n), attempts: 0 }))
      }
    }, 100)
  }

  /** Stops new requests and waits for those in flight (deliveries until accepted or past their deadline). */
  async stop (): Promise<void> {
    clearInterval(this.#timer)
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending])
  }

  #track (p: Promise<void>): void {
    this.#pending.add(p)
    void p.finally(() => this.#pending.delete(p))
  }

  #second (): Second {
    const i = Math.floor((Date.now() - this.#started) / 1000)
    while (this.seconds.length <= i) this.seconds.push({ sent: 0, ok: 0, errors: 0, noAnswer: 0 })
    return this.seconds[i]
  }

  #count (kind: string, answer: Answer | NoAnswer): void {
    const s = this.#second()
    s.sent++
    const key = answer instanceof NoAnswer ? `${kind} no answer (${answer.code})` : `${kind} ${answer.status}${answer.code !== undefined ? ` ${answer.code}` : ''}`
    this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + 1)
    if (!(answer instanceof NoAnswer) && answer.status >= 400 && answer.code === undefined && !this.uncoded.has(key)) this.uncoded.set(key, answer.body)
    if (answer instanceof NoAnswer) s.noAnswer++
    else if (answer.status < 400) s.ok++
    else s.errors++
    if (answer instanceof NoAnswer || answer.status >= 400) {
      const w = Math.floor((Date.now() - this.#started) / 10_000)
      const m = this.errorsByWindow.get(w) ?? new Map<string, number>()
      this.errorsByWindow.set(w, m.set(key, (m.get(key) ?? 0) + 1))
    }
  }

  async #send (kind: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer | NoAnswer> {
    let answer: Answer | NoAnswer
    try {
      answer = await this.lb.send('POST', path, { authorization: await this.token.header(), ...headers }, body)
    } catch (err) {
      answer = err instanceof NoAnswer ? err : new NoAnswer((err as Error).message)
    }
    this.#count(kind, answer)
    if (!(answer instanceof NoAnswer) && answer.status === 401) await this.token.refresh()
    return answer
  }

  async #lookup (n: number): Promise<void> {
    if (this.#lookupsInFlight >= MAX_LOOKUPS_IN_FLIGHT) { this.skipped++; return }
    this.#lookupsInFlight++
    try {
      const { path, body } = lookup(n)
      await this.#send('lookup', path, body, { 'x-purpose': '1.000894' })
    } finally {
      this.#lookupsInFlight--
    }
  }

  async #deliver (rec: DeliveryRecord): Promise<void> {
    this.deliveries.push(rec)
    const path = rec.kind === 'dossier' ? '/v1/dossiers' : `/v1/dossiers/${rec.code}/progress`
    const body = rec.kind === 'dossier' ? dossier(rec.n) : step(rec.n)
    const key = `${this.opts.runId}-${rec.n}-${rec.kind}`
    for (;;) {
      rec.attempts++
      const a = await this.#send(rec.kind, path, body, { 'idempotency-key': key, 'x-purpose': '1.000894' })
      if (!(a instanceof NoAnswer) && (a.status === 202 || a.status === 200)) {
        rec.outcome = 'accepted'
        rec.deliveryId = String(a.body.deliveryId)
        break
      }
      rec.last = a instanceof NoAnswer ? a.code : `${a.status} ${a.code ?? ''}`
      if (!(a instanceof NoAnswer) && a.status < 500 && a.status !== 429 && a.status !== 401) { rec.outcome = 'refused'; break }
      if (Date.now() > this.opts.retryUntil()) { rec.outcome = 'unconfirmed'; break }
      await sleep(!(a instanceof NoAnswer) && a.retryAfter !== undefined ? Math.min(a.retryAfter, 2) * 1000 : 500)
    }
    if (rec.kind === 'dossier' && rec.outcome === 'accepted') await this.#deliver({ n: rec.n, kind: 'step', code: rec.code, attempts: 0 })
  }
}
