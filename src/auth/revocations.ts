import type pg from 'pg'
import { notifyChange } from '../connectors/change-feed.js'

/**
 * Revoked access tokens by `jti`. Kept in PostgreSQL until the token would have expired, mirrored in
 * memory on every instance (loaded at start, then kept current through the change feed), so checking a
 * token costs a map lookup and no I/O.
 */
export class Revocations {
  readonly #pool: pg.Pool
  readonly #known = new Map<string, number>()

  constructor (pool: pg.Pool) { this.#pool = pool }

  async load (): Promise<void> {
    const { rows } = await this.#pool.query<{ jti: string, expires_at: Date }>('SELECT jti, expires_at FROM revoked_tokens WHERE expires_at > now()')
    for (const r of rows) this.#known.set(r.jti, r.expires_at.getTime())
  }

  has (jti: string | undefined): boolean {
    if (jti === undefined || this.#known.size === 0) return false
    const exp = this.#known.get(jti)
    if (exp === undefined) return false
    if (exp < Date.now()) { this.#known.delete(jti); return false }
    return true
  }

  /** Records a revocation (idempotent) and tells every instance. */
  async revoke (jti: string, expiresAt: Date, clientId: string | undefined, by: string): Promise<void> {
    await this.#pool.query(
      `INSERT INTO revoked_tokens (jti, client_id, expires_at, revoked_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (jti) DO NOTHING`, [jti, clientId ?? null, expiresAt, by])
    await this.#pool.query("DELETE FROM revoked_tokens WHERE expires_at < now() - interval '1 day'")
    this.note(jti, expiresAt.getTime())
    await notifyChange(this.#pool, `revoke:${jti}:${expiresAt.getTime()}`)
  }

  /** A revocation heard from another instance. */
  note (jti: string, expiresAtMs: number): void { this.#known.set(jti, expiresAtMs) }
}
