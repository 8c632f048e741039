import { DvcqgErrorCode as E, fail, type DvcqgAnswer } from './codes.js'
import { integrate } from './integrate.js'
import { Sessions } from './sessions.js'
import { ReceivedStore } from './store.js'
import { PortalFeed } from './feed.js'

export interface PortalOptions {
  /** Accepted credentials of `POST /api/auth` (default `DVCQG_DEFAULT_CREDENTIALS`). */
  credentials?: { username: string, password: string }
  /** When set, the `dstcode` header must equal it; otherwise any non-empty value is accepted. */
  dstcode?: string
  /** Session lifetime (default 30 minutes). */
  sessionTtlMs?: number
  /** Clock for session expiry (default `Date.now`). */
  now?: () => number
}

export const DVCQG_DEFAULT_CREDENTIALS = Object.freeze({ username: 'lienthong', password: 'lienthong-sim' })
export const DEFAULT_SESSION_TTL_MS = 30 * 60 * 1000

/** Counters of calls received, whatever their outcome. */
export interface PortalStats { authCalls: number, integrationCalls: number, errors: Record<string, number> }

/** The portal's behaviour and state, usable in-process by tests and driven over HTTP by the routes. */
export class Portal {
  readonly store = new ReceivedStore()
  /** Dossiers submitted online and status changes, for the gateway's pull (`LayDanhSachThayDoiHoSo`). */
  readonly feed = new PortalFeed()
  readonly sessions: Sessions
  readonly #credentials: { username: string, password: string }
  readonly #dstcode: string | undefined
  #forced = { remaining: 0, code: E.INTERNAL as number, message: '' }
  #stats: PortalStats = { authCalls: 0, integrationCalls: 0, errors: {} }

  constructor (opts: PortalOptions = {}) {
    this.#credentials = opts.credentials ?? DVCQG_DEFAULT_CREDENTIALS
    this.#dstcode = opts.dstcode
    this.sessions = new Sessions(opts.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS, opts.now ?? Date.now)
  }

  /** `POST /api/auth`. */
  authenticate (dstcode: unknown, body: Record<string, unknown>): DvcqgAnswer {
    this.#stats.authCalls++
    return this.#count(this.#dstcodeProblem(dstcode) ?? (
      body.username === this.#credentials.username && body.password === this.#credentials.password
        ? { session: this.sessions.issue(), error_code: E.OK, message: 'OK' }
        : fail(E.AUTH_FAILED, 'Sai tên đăng nhập hoặc mật khẩu (wrong username or password)')))
  }

  /** `POST /api/integration`. */
  integrate (dstcode: unknown, body: Record<string, unknown>): DvcqgAnswer {
    this.#stats.integrationCalls++
    const early = this.#dstcodeProblem(dstcode) ?? this.#takeForced() ??
      (this.sessions.isValid(body.session) ? undefined : fail(E.SESSION_INVALID, 'Phiên làm việc không hợp lệ hoặc đã hết hạn (session invalid or expired)'))
    if (early === undefined && body.service === 'LayDanhSachThayDoiHoSo') return this.#count(this.feed.answer(body))
    return this.#count(early ?? integrate(this.store, body))
  }

  /** The next `count` integration calls answer `code` (default 99, retryable) before anything else is checked. */
  forceErrors (count: number, code: number = E.INTERNAL, message = 'Lỗi hệ thống (simulated internal error)'): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be an integer ≥ 0')
    if (code === E.OK) throw new RangeError('a forced error_code must not be 0')
    this.#forced = { remaining: count, code, message }
  }

  /** Expires every session now. */
  expireSessions (): void {
    this.sessions.expireAll()
  }

  stats (): PortalStats {
    return { ...this.#stats, errors: { ...this.#stats.errors } }
  }

  /** Forgets what arrived, the counters and pending forced errors (sessions stay valid). */
  clear (): void {
    this.store.clear()
    this.#forced.remaining = 0
    this.#stats = { authCalls: 0, integrationCalls: 0, errors: {} }
  }

  received: ReceivedStore['received'] = (maHoSo) => this.store.received(maHoSo)
  countApplied: ReceivedStore['countApplied'] = (maHoSo, hash) => this.store.countApplied(maHoSo, hash)
  countProgress: ReceivedStore['countProgress'] = (maHoSo) => this.store.countProgress(maHoSo)
  appliedVersions: ReceivedStore['appliedVersions'] = (maHoSo) => this.store.appliedVersions(maHoSo)
  duplicates: ReceivedStore['duplicates'] = () => this.store.duplicates()

  #dstcodeProblem (dstcode: unknown): DvcqgAnswer | undefined {
    if (typeof dstcode !== 'string' || dstcode.trim() === '') return fail(E.DSTCODE_INVALID, 'Thiếu dstcode (missing dstcode header)')
    if (this.#dstcode !== undefined && dstcode !== this.#dstcode) return fail(E.DSTCODE_INVALID, `Unknown dstcode ${dstcode}`)
    return undefined
  }

  #takeForced (): DvcqgAnswer | undefined {
    if (this.#forced.remaining <= 0) return undefined
    this.#forced.remaining--
    return fail(this.#forced.code, this.#forced.message)
  }

  #count (answer: DvcqgAnswer): DvcqgAnswer {
    if (answer.error_code !== E.OK) this.#stats.errors[answer.error_code] = (this.#stats.errors[answer.error_code] ?? 0) + 1
    return answer
  }
}
