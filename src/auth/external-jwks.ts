import { createPublicKey, type JsonWebKey } from 'node:crypto'
import { request } from 'undici'

interface Jwks { keys: Array<JsonWebKey & { kid?: string }> }

/**
 * Public keys of an external identity provider, fetched from its JWKS URL and kept for `ttlMs`; an unknown
 * `kid` triggers one refetch (key rotation at the provider), at most once every 10 seconds.
 */
export class ExternalKeys {
  readonly #url: string
  readonly #ttlMs: number
  #keys = new Map<string, string>()
  #fetchedAt = 0
  #inflight: Promise<void> | undefined

  constructor (url: string, ttlMs = 600_000) {
    this.#url = url
    this.#ttlMs = ttlMs
  }

  async get (kid: string | undefined): Promise<string | undefined> {
    const fresh = Date.now() - this.#fetchedAt < this.#ttlMs
    const known = kid !== undefined && this.#keys.has(kid)
    if (!fresh || (!known && Date.now() - this.#fetchedAt > 10_000)) await this.#refresh()
    if (kid === undefined) return this.#keys.size === 1 ? [...this.#keys.values()][0] : undefined
    return this.#keys.get(kid)
  }

  async #refresh (): Promise<void> {
    this.#inflight ??= (async () => {
      try {
        const res = await request(this.#url, { headersTimeout: 5000, bodyTimeout: 5000 })
        if (res.statusCode !== 200) { await res.body.dump(); return }
        const jwks = await res.body.json() as Jwks
        const keys = new Map<string, string>()
        for (const jwk of jwks.keys ?? []) {
          if (typeof jwk.kid !== 'string') continue
          keys.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString())
        }
        this.#keys = keys
        this.#fetchedAt = Date.now()
      } finally {
        this.#inflight = undefined
      }
    })()
    await this.#inflight.catch(() => {})
  }
}
