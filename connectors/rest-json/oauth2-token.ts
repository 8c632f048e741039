import { request } from 'undici'
import { UpstreamFailure } from '../../src/connectors/contract.js'

/**
 * OAuth2 client-credentials token for calls to an upstream (LGSP/NDXP style), cached until shortly before
 * it expires; concurrent callers share one token request.
 */
export class OAuth2TokenCache {
  readonly #cfg: { tokenUrl: string, clientId: string, clientSecret: string, scope?: string }
  #token: string | undefined
  #expiresAt = 0
  #inflight: Promise<string> | undefined

  constructor (cfg: { tokenUrl: string, clientId: string, clientSecret: string, scope?: string }) { this.#cfg = cfg }

  async get (signal: AbortSignal): Promise<string> {
    if (this.#token !== undefined && Date.now() < this.#expiresAt) return this.#token
    this.#inflight ??= this.#fetch(signal).finally(() => { this.#inflight = undefined })
    return await this.#inflight
  }

  invalidate (): void { this.#token = undefined }

  async #fetch (signal: AbortSignal): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.#cfg.clientId, client_secret: this.#cfg.clientSecret })
    if (this.#cfg.scope !== undefined) form.set('scope', this.#cfg.scope)
    const res = await request(this.#cfg.tokenUrl, {
      method: 'POST',
      signal,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString()
    })
    if (res.statusCode !== 200) {
      await res.body.dump()
      throw new UpstreamFailure(res.statusCode >= 500 ? 'unavailable' : 'rejected',
        `upstream token endpoint answered ${res.statusCode}`, { upstreamStatus: res.statusCode, retryable: res.statusCode >= 500 })
    }
    const body = await res.body.json() as { access_token?: string, expires_in?: number }
    if (typeof body.access_token !== 'string') throw new UpstreamFailure('error', 'upstream token endpoint gave no access_token')
    this.#token = body.access_token
    this.#expiresAt = Date.now() + Math.max(0, (body.expires_in ?? 300) - 30) * 1000
    return body.access_token
  }
}
