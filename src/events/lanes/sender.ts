import { Agent } from 'undici'
import { AttemptSignal } from '../../connectors/runtime/attempt-signal.js'
import { signHeaders } from '../signature.js'

export interface SendResult {
  ok: boolean
  httpStatus: number | null
  /** Why it failed, without anything of the body (which may hold personal data). */
  error: string | null
  durationMs: number
}

export interface SenderOptions {
  /** Connections per subscriber origin. */
  connections: number
  /** Whole-attempt deadline: connect, headers and body. */
  timeoutMs: number
}

const round = (ms: number): number => Math.round(ms * 10) / 10

/**
 * Sends webhooks: one undici Agent (a keep-alive pool per subscriber origin) for every subscription, owned here
 * and closed by `close`. A message is the event's exact body with the Standard Webhooks headers signed by every
 * secret in force; a 2xx answer acknowledges it, anything else (or no answer in time) is a failed attempt.
 * Redirects are not followed; answers are read no further than 64 KiB and never kept.
 */
export class WebhookSender {
  readonly #agent: Agent
  readonly #timeoutMs: number

  constructor (opts: SenderOptions) {
    this.#timeoutMs = opts.timeoutMs
    this.#agent = new Agent({
      connections: opts.connections,
      connect: { timeout: Math.min(opts.timeoutMs, 5000) },
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      keepAliveTimeout: 10_000
    })
  }

  async send (url: URL, secrets: readonly string[], id: string, body: string): Promise<SendResult> {
    const started = performance.now()
    const attempt = new AttemptSignal(this.#timeoutMs)
    try {
      const res = await this.#agent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'lienthong-gateway', ...signHeaders(secrets, id, body) },
        body,
        signal: attempt.signal
      })
      await res.body.dump({ limit: 65_536 }).catch(() => {})
      const ok = res.statusCode >= 200 && res.statusCode < 300
      return { ok, httpStatus: res.statusCode, error: ok ? null : `subscriber answered ${res.statusCode}`, durationMs: round(performance.now() - started) }
    } catch (err) {
      const e = err as { code?: string, name?: string }
      const why = attempt.timedOut ? `no answer within ${this.#timeoutMs} ms` : (e.code ?? e.name ?? 'error')
      return { ok: false, httpStatus: null, error: `not delivered: ${why}`, durationMs: round(performance.now() - started) }
    } finally {
      attempt.release()
    }
  }

  async close (): Promise<void> {
    await this.#agent.close()
  }
}
