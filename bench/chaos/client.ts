import { Pool } from 'undici'

export interface Answer { status: number, code?: string, body: Record<string, unknown>, retryAfter?: number }

/** A network failure (no HTTP answer): its code, e.g. ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT. */
export class NoAnswer extends Error {
  constructor (readonly code: string) { super(code) }
}

const TIMEOUTS = { headersTimeout: 10_000, bodyTimeout: 10_000 }

/**
 * The callers' side of a load balancer in front of the gateways: round-robin over the ones it believes alive,
 * a backend that refuses connections is taken out until its /health/live answers again (checked every second).
 */
export class Balancer {
  readonly #pools: Array<{ url: string, pool: Pool, out: boolean }>
  #next = 0
  readonly #timer: NodeJS.Timeout

  constructor (urls: string[]) {
    this.#pools = urls.map((url) => ({ url, pool: new Pool(url, { connections: 64, ...TIMEOUTS }), out: false }))
    this.#timer = setInterval(() => { void this.#check() }, 1000)
  }

  async #check (): Promise<void> {
    await Promise.all(this.#pools.filter((p) => p.out).map(async (p) => {
      try {
        const res = await p.pool.request({ method: 'GET', path: '/health/live', headersTimeout: 1000 })
        await res.body.dump()
        if (res.statusCode === 200) p.out = false
      } catch {}
    }))
  }

  #pick (): { url: string, pool: Pool, out: boolean } {
    const live = this.#pools.filter((p) => !p.out)
    const from = live.length > 0 ? live : this.#pools
    return from[this.#next++ % from.length]
  }

  /** One request through one backend; a connection failure takes that backend out and throws NoAnswer. */
  async send (method: 'GET' | 'POST' | 'PATCH', path: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
    const target = this.#pick()
    try {
      const res = await target.pool.request({
        method,
        path,
        headers: body !== undefined ? { ...headers, 'content-type': 'application/json' } : headers,
        body: body !== undefined ? JSON.stringify(body) : undefined
      })
      const text = await res.body.text()
      let json: Record<string, unknown> = {}
      try { json = JSON.parse(text) as Record<string, unknown> } catch {}
      const retryAfter = Number(res.headers['retry-after'])
      return { status: res.statusCode, code: typeof json.code === 'string' ? json.code : undefined, body: json, retryAfter: Number.isFinite(retryAfter) ? retryAfter : undefined }
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'ERROR'
      if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') target.out = true
      throw new NoAnswer(code)
    }
  }

  async close (): Promise<void> {
    clearInterval(this.#timer)
    await Promise.all(this.#pools.map(async (p) => { await p.pool.close() }))
  }
}

/** A client-credentials token for `id`, fetched again before it expires or after a 401. */
export class Token {
  #value: string | undefined
  #expires = 0

  constructor (private readonly lb: Balancer, private readonly id: string, private readonly secret: string) {}

  async header (): Promise<string> {
    if (this.#value === undefined || Date.now() > this.#expires) await this.refresh()
    return `Bearer ${this.#value as string}`
  }

  #refreshing: Promise<void> | undefined

  /** One request for a new token at a time, whoever asks (the token endpoint is rate limited per client). */
  async refresh (): Promise<void> {
    this.#refreshing ??= this.#fetch().finally(() => { this.#refreshing = undefined })
    await this.#refreshing
  }

  async #fetch (): Promise<void> {
    for (let i = 0; ; i++) {
      try {
        const a = await this.lb.send('POST', '/v1/auth/token', {}, { grant_type: 'client_credentials', client_id: this.id, client_secret: this.secret })
        if (a.status === 200) {
          this.#value = String(a.body.access_token)
          this.#expires = Date.now() + (Number(a.body.expires_in) - 60) * 1000
          return
        }
      } catch {}
      if (i > 120) throw new Error('no token after 2 minutes of trying')
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
  }
}
