import { Agent, request, type Dispatcher } from 'undici'
import { CliError, UsageError } from './errors.js'
import type { Settings } from './settings.js'

export interface TokenResponse { access_token: string, token_type: string, expires_in: number }

/** The gateway's HTTP API as the CLI uses it. */
export interface Gateway {
  /** POST /v1/auth/token with the configured client credentials. */
  token (): Promise<TokenResponse>
  /** An authenticated call (one token per run); resolves with the JSON body, or undefined when there is none. */
  call<T = unknown> (method: Dispatcher.HttpMethod, path: string, body?: unknown): Promise<T>
  /** Every item of a list (GET, page after page: `{ items, nextCursor }`). */
  list<T> (path: string): Promise<T[]>
  close (): Promise<void>
}

interface Answer { status: number, type: string, text: string }
interface Problem { code?: string, title?: string, detail?: string, errors?: Array<{ path?: string, message?: string }> }

const TIMEOUT_MS = 30_000
/** The most pages a list is followed for (1,000 items each): a gateway that never ends a list is an error. */
const MAX_PAGES = 1000
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

/** The gateway URL as printed: no trailing slash (settings already dropped credentials, query and hash). */
export const displayUrl = (url: URL): string => url.href.replace(/\/$/, '')

function parseJson (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function unreachable (where: string, err: unknown): CliError {
  const e = err as { code?: string, message?: string, cause?: { code?: string }, errors?: Array<{ code?: string }> }
  const code = e.code ?? e.cause?.code ?? e.errors?.[0]?.code
  if (code !== undefined && TIMEOUT_CODES.has(code)) return new CliError(`the gateway at ${where} did not answer in time (${code})`)
  return new CliError(`cannot reach the gateway at ${where} (${code ?? e.message ?? 'unknown error'})`)
}

/** A non-2xx answer as one line (plus the problem's `errors[]`); never echoes what the CLI sent. */
function failure (a: Answer, clientId: string, fromTokenEndpoint: boolean): CliError {
  const body = parseJson(a.text)
  const problem = typeof body === 'object' && body !== null && (typeof (body as Problem).code === 'string' || a.type.includes('problem+json'))
    ? body as Problem
    : undefined
  const detail = problem?.detail ?? problem?.title ?? ''
  const suffix = detail !== '' ? `: ${detail}` : ''
  if (a.status === 401 && fromTokenEndpoint) return new CliError(`invalid client credentials (client ${clientId})`)
  if (a.status === 401) return new CliError(`the gateway rejected the access token${suffix}`)
  if (a.status === 403) return new CliError(`forbidden: client ${clientId} is not allowed to do this${suffix}`)
  if (problem !== undefined) {
    const details = (problem.errors ?? []).map((e) => `  ${e.path ?? '/'} ${e.message ?? 'is invalid'}`)
    return new CliError(`${problem.code ?? `HTTP ${a.status}`}${suffix}`, { details })
  }
  const snippet = a.text.replace(/\s+/g, ' ').trim().slice(0, 200)
  const hint = a.status === 404 ? ' (is --url a Liên thông Gateway?)' : ''
  return new CliError(`the gateway answered HTTP ${a.status}${hint}${snippet !== '' ? `: ${snippet}` : ''}`)
}

function success (a: Answer): unknown {
  if (a.text === '') return undefined
  const body = parseJson(a.text)
  if (body === undefined) throw new CliError(`the gateway answered HTTP ${a.status} with a body that is not JSON (is --url a Liên thông Gateway?)`)
  return body
}

/** A gateway client for one CLI run: its own connection pool, closed by `close()`. */
export function connect (settings: Settings): Gateway {
  const agent = new Agent({ connect: { timeout: 10_000 }, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS })
  const where = displayUrl(settings.url)
  const base = settings.url.href.endsWith('/') ? settings.url.href : `${settings.url.href}/`
  const clientId = settings.clientId ?? ''
  let token: Promise<TokenResponse> | undefined

  async function send (method: Dispatcher.HttpMethod, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
    const target = new URL(path.replace(/^\//, ''), base)
    try {
      const res = await request(target, { method, headers: { accept: 'application/json', ...headers }, body, dispatcher: agent })
      const text = await res.body.text()
      return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), text }
    } catch (err) {
      throw unreachable(where, err)
    }
  }

  async function fetchToken (): Promise<TokenResponse> {
    if (settings.clientId === undefined || settings.clientSecret === undefined) {
      throw new UsageError('no client credentials: set LIENTHONG_CLIENT_ID and LIENTHONG_CLIENT_SECRET, or pass --client-id and --client-secret')
    }
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: settings.clientId, client_secret: settings.clientSecret })
    const a = await send('POST', '/v1/auth/token', { 'content-type': 'application/x-www-form-urlencoded' }, form.toString())
    if (a.status < 200 || a.status > 299) throw failure(a, clientId, true)
    const body = success(a) as Partial<TokenResponse> | undefined
    if (typeof body?.access_token !== 'string') throw new CliError('the gateway answered the token request without an access_token')
    return body as TokenResponse
  }

  return {
    async token () {
      token ??= fetchToken()
      return await token
    },
    async call<T> (method: Dispatcher.HttpMethod, path: string, body?: unknown): Promise<T> {
      const { access_token: accessToken } = await this.token()
      const headers: Record<string, string> = { authorization: `Bearer ${accessToken}` }
      if (body !== undefined) headers['content-type'] = 'application/json'
      const a = await send(method, path, headers, body === undefined ? undefined : JSON.stringify(body))
      if (a.status < 200 || a.status > 299) throw failure(a, clientId, false)
      return success(a) as T
    },
    async list<T> (path: string): Promise<T[]> {
      const items: T[] = []
      let cursor: string | null = null
      for (let pages = 0; pages < MAX_PAGES; pages++) {
        const query: string = new URLSearchParams({ limit: '1000', ...(cursor !== null ? { cursor } : {}) }).toString()
        const page: { items?: T[], nextCursor?: string | null } | undefined = await this.call('GET', `${path}?${query}`)
        if (!Array.isArray(page?.items)) throw new CliError(`the gateway answered GET ${path} without a list of items (is --url a Liên thông Gateway?)`)
        items.push(...page.items)
        cursor = page.nextCursor ?? null
        if (cursor === null) return items
      }
      throw new CliError(`GET ${path} did not end after ${MAX_PAGES} pages`)
    },
    async close () {
      await agent.close()
    }
  }
}
