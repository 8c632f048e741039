import { createHash, randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { PendingLogin } from './oidc.js'
import type { PersonRole } from './roles.js'

/** A signed-in person's console session, kept in Redis (shared by every gateway instance); never in the browser. */
export interface ConsoleSession {
  sub: string
  name: string
  roles: PersonRole[]
  idToken: string
  refreshToken?: string
  /** Epoch ms after which the tokens are refreshed before the session is trusted again. */
  expiresAt: number
  /** The anti-CSRF token every state-changing call must echo in `x-csrf-token`. */
  csrf: string
  createdAt: number
}

const PENDING_TTL_MS = 600_000

/**
 * Sessions and pending sign-ins in Redis. The browser holds only a random session id in an HttpOnly cookie;
 * Redis holds it only hashed (a leaked Redis dump opens no session). Sessions expire after `idleMs` without
 * use and `maxMs` after sign-in, whatever the use.
 */
export class ConsoleSessions {
  readonly #redis: Redis
  readonly #prefix: string
  readonly #idleMs: number
  readonly #maxMs: number

  constructor (redis: Redis, prefix: string, idleMs: number, maxMs: number) {
    this.#redis = redis
    this.#prefix = `${prefix}:console`
    this.#idleMs = idleMs
    this.#maxMs = maxMs
  }

  get idleMs (): number { return this.#idleMs }

  #key (id: string): string { return `${this.#prefix}:session:${createHash('sha256').update(id).digest('base64url')}` }

  async create (s: Omit<ConsoleSession, 'csrf' | 'createdAt'>): Promise<{ id: string, session: ConsoleSession }> {
    const id = randomBytes(32).toString('base64url')
    const session = { ...s, csrf: randomBytes(24).toString('base64url'), createdAt: Date.now() }
    await this.#redis.set(this.#key(id), JSON.stringify(session), 'PX', this.#idleMs)
    return { id, session }
  }

  /** The session of this id, its idle time renewed; undefined when unknown, expired or past its maximum age. */
  async get (id: string): Promise<ConsoleSession | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined
    const text = await this.#redis.get(this.#key(id))
    if (text === null) return undefined
    const session = JSON.parse(text) as ConsoleSession
    if (Date.now() - session.createdAt > this.#maxMs) { await this.delete(id); return undefined }
    await this.#redis.pexpire(this.#key(id), this.#idleMs)
    return session
  }

  async update (id: string, session: ConsoleSession): Promise<void> {
    await this.#redis.set(this.#key(id), JSON.stringify(session), 'PX', this.#idleMs, 'XX')
  }

  async delete (id: string): Promise<void> { await this.#redis.del(this.#key(id)) }

  async savePending (p: PendingLogin): Promise<void> {
    await this.#redis.set(`${this.#prefix}:pending:${p.state}`, JSON.stringify(p), 'PX', PENDING_TTL_MS)
  }

  /** The pending sign-in of this state, taken once (a replayed callback finds nothing). */
  async takePending (state: string): Promise<PendingLogin | undefined> {
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(state)) return undefined
    const text = await this.#redis.getdel(`${this.#prefix}:pending:${state}`)
    return text === null ? undefined : JSON.parse(text) as PendingLogin
  }
}
