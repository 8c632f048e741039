import type pg from 'pg'
import { notifyChange } from '../connectors/change-feed.js'

const PREFIX = 'revoke:'

/** The change notification of a revocation: any jti (`:` included) survives the trip, as JSON. */
export const revocationNotice = (jti: string, expiresAtMs: number): string => PREFIX + JSON.stringify([jti, expiresAtMs])

/** The revocation a notification carries, or undefined when it is not one (or not well-formed). */
export function parseRevocationNotice (payload: string): { jti: string, expiresAtMs: number } | undefined {
  if (!payload.startsWith(PREFIX)) return undefined
  try {
    const [jti, exp] = JSON.parse(payload.slice(PREFIX.length)) as unknown[]
    return typeof jti === 'string' && typeof exp === 'number' && Number.isFinite(exp) ? { jti, expiresAtMs: exp } : undefined
  } catch {
    return undefined
  }
}

/**
 * Revoked access tokens by `jti`. Kept in PostgreSQL until the token expires, mirrored in memory on every instance
 * (loaded at start, then kept current through the change feed), so checking a token costs a map lookup and no I/O.
 * A revocation by jti alone (the token's `exp` unknown) is kept `retentionMs`: the longest lifetime a token the
 * gateway accepts can have (its own TTL, or the lifetime external tokens are held to).
 */
export class Revocations {
  readonly #pool: pg.Pool
  readonly #known = new Map<string, number>()
  readonly retentionMs: number

  constructor (pool: pg.Pool, retentionMs: number) {
    this.#pool = pool
    this.retentionMs = retentionMs
  }

  async load (): Promise<void> {
    const { rows } = await this.#pool.query<{ jti: string, expires_at: Date }>('SELECT jti, expires_at FROM revoked_tokens WHERE expires_at > now()')
    for (const r of rows) this.#known.set(r.jti, r.expires_at.getTime())
  }

  has (jti: string | undefined): boolean {
    if (jti === undefined || this.#known.size === 0) return false
    const until = this.#known.get(jti)
    if (until === undefined) return false
    if (until < Date.now()) { this.#known.delete(jti); return false }
    return true
  }

  /** Records a revocation (idempotent; a later expiry wins) and tells every instance. */
  async revoke (jti: string, expiresAt: Date, clientId: string | undefined, by: string): Promise<void> {
    await this.#pool.query(
      `INSERT INTO revoked_tokens (jti, client_id, expires_at, revoked_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (jti) DO UPDATE SET expires_at = GREATEST(revoked_tokens.expires_at, EXCLUDED.expires_at)`, [jti, clientId ?? null, expiresAt, by])
    await this.#pool.query("DELETE FROM revoked_tokens WHERE expires_at < now() - interval '1 day'")
    this.note(jti, expiresAt.getTime())
    await notifyChange(this.#pool, revocationNotice(jti, expiresAt.getTime()))
  }

  /** A revocation heard from another instance (a later expiry wins). */
  note (jti: string, expiresAtMs: number): void {
    const known = this.#known.get(jti)
    if (known === undefined || known < expiresAtMs) this.#known.set(jti, expiresAtMs)
  }
}
