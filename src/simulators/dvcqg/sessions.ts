import { randomUUID } from 'node:crypto'

/** Portal sessions: issued by `/api/auth`, valid for a TTL, all expirable at once for tests. */
export class Sessions {
  readonly #expiresAt = new Map<string, number>()
  readonly #ttlMs: number
  readonly #now: () => number

  constructor (ttlMs: number, now: () => number) {
    this.#ttlMs = ttlMs
    this.#now = now
  }

  issue (): string {
    const session = randomUUID().replaceAll('-', '')
    this.#expiresAt.set(session, this.#now() + this.#ttlMs)
    return session
  }

  isValid (session: unknown): boolean {
    if (typeof session !== 'string') return false
    const expiresAt = this.#expiresAt.get(session)
    if (expiresAt === undefined) return false
    if (expiresAt > this.#now()) return true
    this.#expiresAt.delete(session)
    return false
  }

  /** Expires every session now: the next integration call answers SESSION_INVALID. */
  expireAll (): void {
    this.#expiresAt.clear()
  }

  get size (): number {
    return this.#expiresAt.size
  }
}
