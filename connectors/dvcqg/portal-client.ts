import { failureOfStatus, UpstreamFailure, type CallContext } from '../../src/connectors/contract.js'
import { errorCodesOf, type DvcqgConfig } from './config-schema.js'

const MAX_RESPONSE_BYTES = 4 * 1024 * 1024

export interface PortalAnswer { error_code: number, message?: string, [key: string]: unknown }

/** `error_code` as the portal sends it: 0, "0" or "00" for success; NaN when missing. */
const codeOf = (v: unknown): number => typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : Number.NaN

/**
 * The portal's session protocol: `POST {auth}` with username/password and the `dstcode` header gives a session,
 * cached until `sessionTtlMs` and renewed when the portal calls it invalid; every call is the envelope
 * `{ session, madonvi, service, ... }` to `POST {integration}`. Concurrent callers share one login.
 */
export class PortalClient {
  readonly #config: DvcqgConfig
  readonly #prefix: string
  readonly #codes: ReturnType<typeof errorCodesOf>
  #session: string | undefined
  #expiresAt = 0
  #login: Promise<string> | undefined
  logins = 0

  constructor (config: DvcqgConfig) {
    this.#config = config
    this.#prefix = new URL(config.baseUrl).pathname.replace(/\/$/, '')
    this.#codes = errorCodesOf(config)
  }

  get codes (): ReturnType<typeof errorCodesOf> { return this.#codes }

  async #post (path: string, body: unknown, ctx: CallContext): Promise<PortalAnswer> {
    const res = await ctx.http.request({
      method: 'POST',
      path: this.#prefix + path,
      signal: ctx.signal,
      headers: { 'content-type': 'application/json', accept: 'application/json', dstcode: this.#config.dstcode, ...ctx.headers },
      body: JSON.stringify(body)
    })
    const failure = failureOfStatus(res.statusCode)
    if (failure !== undefined) {
      await res.body.dump()
      throw failure
    }
    if (Number(res.headers['content-length'] ?? 0) > MAX_RESPONSE_BYTES) {
      await res.body.dump()
      throw new UpstreamFailure('error', 'portal answer too large', { retryable: true })
    }
    let json: Record<string, unknown>
    try {
      json = await res.body.json() as Record<string, unknown>
    } catch (err) {
      // The portal answered but we cannot tell what it did: no upstreamStatus, so the attempt stays in doubt.
      throw new UpstreamFailure('error', 'portal answered with malformed JSON', { cause: err })
    }
    return { ...json, error_code: codeOf(json.error_code) }
  }

  /** A portal answer with error_code ≠ 0 as a failure: retryable or permanent by the configured codes. */
  failure (answer: PortalAnswer, what: string): UpstreamFailure {
    const code = answer.error_code
    const retryable = this.#codes.retryable.has(code) || code === this.#codes.sessionInvalid || !this.#codes.permanent.has(code)
    const message = typeof answer.message === 'string' ? answer.message.slice(0, 300) : ''
    return new UpstreamFailure(retryable ? 'error' : 'rejected', `${what}: portal error_code ${String(code)} ${message}`.trim(),
      { retryable, upstreamCode: String(code), upstreamStatus: 200 })
  }

  async #currentSession (ctx: CallContext): Promise<string> {
    if (this.#session !== undefined && Date.now() < this.#expiresAt) return this.#session
    this.#login ??= this.#authenticate(ctx).finally(() => { this.#login = undefined })
    return await this.#login
  }

  async #authenticate (ctx: CallContext): Promise<string> {
    this.logins++
    const answer = await this.#post(this.#config.paths?.auth ?? '/api/auth',
      { username: this.#config.username, password: this.#config.password }, ctx)
    if (answer.error_code !== 0 || typeof answer.session !== 'string' || answer.session === '') {
      throw this.failure(answer.error_code === 0 ? { ...answer, error_code: Number.NaN } : answer, 'login')
    }
    this.#session = answer.session
    this.#expiresAt = Date.now() + (this.#config.sessionTtlMs ?? 25 * 60 * 1000)
    return answer.session
  }

  /** Forgets the session (when it is still the one given), so the next call logs in again. */
  invalidate (session: string): void {
    if (this.#session === session) this.#session = undefined
  }

  /**
   * One envelope call. An answer "invalid session" (expired early, portal restarted) logs in again and resends
   * once: the portal applied nothing, so resending is safe.
   */
  async call (service: string, params: Record<string, unknown>, ctx: CallContext): Promise<PortalAnswer> {
    for (let round = 1; ; round++) {
      const session = await this.#currentSession(ctx)
      const answer = await this.#post(this.#config.paths?.integration ?? '/api/integration',
        { session, madonvi: this.#config.agencyCode, service, ...params }, ctx)
      if (answer.error_code !== this.#codes.sessionInvalid || round >= 2) return answer
      ctx.log.info({ service }, 'portal session invalid; logging in again')
      this.invalidate(session)
    }
  }
}
