import { known, t, type MessageKey } from './i18n.js'
import { csrfToken, reauthenticate } from './session.js'

export interface FieldError { path: string, message: string }

/** A problem+json answer (RFC 9457) as the page shows it: a translated message and the fields concerned. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly detail: string
  readonly errors: FieldError[]

  constructor (status: number, code: string, detail: string, errors: FieldError[] = []) {
    super(detail)
    this.status = status
    this.code = code
    this.detail = detail
    this.errors = errors
  }

  /** The message for a person: the code's translation, then the server's detail. */
  get readable (): string {
    const key = known(`error.${this.code}`)
    return key !== undefined ? `${t(key)} ${this.detail !== '' ? `(${this.detail})` : ''}`.trim() : this.detail
  }
}

/** Validation messages of the API (ajv's) in the current language. */
const MESSAGES: Array<[RegExp, MessageKey]> = [
  [/^must have required property/, 'validation.required'],
  [/^must match format "uri"/, 'validation.uri'],
  [/^must match format/, 'validation.format'],
  [/^must match pattern/, 'validation.pattern'],
  [/^must be equal to one of the allowed values/, 'validation.enum'],
  [/^must be integer/, 'validation.integer'],
  [/^must be number/, 'validation.number'],
  [/^must be string/, 'validation.string'],
  [/^must NOT have additional properties/, 'validation.additional'],
  [/^must NOT have fewer than (\d+)/, 'validation.minLength'],
  [/^must NOT have more than (\d+)/, 'validation.maxLength'],
  [/^must be >= (\S+)/, 'validation.minimum'],
  [/^must be <= (\S+)/, 'validation.maximum']
]

export function fieldMessage (message: string): string {
  for (const [re, key] of MESSAGES) {
    const m = re.exec(message)
    if (m !== null) return t(key, { n: m[1] ?? '' })
  }
  return message
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
interface Options { body?: unknown, raw?: boolean, retried?: boolean }

async function problemOf (res: Response): Promise<ApiError> {
  let p: { code?: string, detail?: string, errors?: Array<{ path?: string, instancePath?: string, message?: string }> } = {}
  try { p = await res.json() } catch {}
  const errors = (p.errors ?? []).map((e) => ({ path: e.path ?? e.instancePath ?? '', message: e.message ?? '' }))
  return new ApiError(res.status, p.code ?? `HTTP_${res.status}`, p.detail ?? res.statusText, errors)
}

/**
 * The console's one way to the API: same-origin, the session cookie sent by the browser, the CSRF token on
 * every state-changing call, problem+json turned into ApiError. When the session has expired, the person signs
 * in again in a small window and the call is retried: the page and what was typed in it stay as they were.
 */
export async function request<T> (method: Method, path: string, opts: Options = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json, application/x-ndjson' }
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken()
  let res: Response
  try {
    res = await fetch(path, { method, headers, body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined, credentials: 'same-origin', cache: 'no-store' })
  } catch {
    throw new ApiError(0, 'NETWORK', t('error.NETWORK'))
  }
  if (res.status === 401 && opts.retried !== true) {
    await reauthenticate()
    return await request<T>(method, path, { ...opts, retried: true })
  }
  if (!res.ok) throw await problemOf(res)
  if (opts.raw === true) return await res.blob() as T
  if (res.status === 204) return undefined as T
  return await res.json() as T
}

export const get = async <T>(path: string): Promise<T> => await request<T>('GET', path)
export const post = async <T>(path: string, body?: unknown): Promise<T> => await request<T>('POST', path, { body })
export const put = async <T>(path: string, body: unknown): Promise<T> => await request<T>('PUT', path, { body })
export const patch = async <T>(path: string, body: unknown): Promise<T> => await request<T>('PATCH', path, { body })
export const del = async <T>(path: string): Promise<T> => await request<T>('DELETE', path)

/** A page of a list: the API's one pagination scheme (`?limit=&cursor=` in, `{ items, nextCursor }` out). */
export interface PageOf<T> { items: T[], nextCursor: string | null }

/** One page of a list at `path` (its filters already in `values`), from `cursor` when given. */
export async function page<T> (path: string, values: Record<string, string | number | undefined | null> = {}, cursor?: string): Promise<PageOf<T>> {
  return await get<PageOf<T>>(`${path}${query({ ...values, cursor })}`)
}

/**
 * Every item of a list, page after page (`limit` is the largest page the route allows); stops after `maxPages`
 * pages, so that a runaway list cannot hold the page.
 */
export async function allItems<T> (path: string, limit: number, values: Record<string, string | number | undefined | null> = {}, maxPages = 50): Promise<T[]> {
  const out: T[] = []
  let cursor: string | undefined
  for (let i = 0; i < maxPages; i++) {
    const p = await page<T>(path, { ...values, limit }, cursor)
    out.push(...p.items)
    if (p.nextCursor === null) break
    cursor = p.nextCursor
  }
  return out
}

/** A query string of the non-empty values. */
export function query (values: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v))
  const s = p.toString()
  return s === '' ? '' : `?${s}`
}
