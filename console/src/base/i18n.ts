import { useChanges } from './subscribe.js'
import { vi } from '../i18n/vi.js'
import { en } from '../i18n/en.js'

export type Lang = 'vi' | 'en'
export type MessageKey = keyof typeof vi
const DICTS: Record<Lang, Record<MessageKey, string>> = { vi, en }
const STORE = 'lienthong.console.lang'

let current: Lang = (() => {
  try { return localStorage.getItem(STORE) === 'en' ? 'en' : 'vi' } catch { return 'vi' }
})()
const listeners = new Set<() => void>()

export const lang = (): Lang => current

export function setLang (next: Lang): void {
  current = next
  try { localStorage.setItem(STORE, next) } catch {}
  document.documentElement.lang = next
  for (const l of listeners) l()
}

/** Re-renders the calling component when the language changes. */
export function useLang (): Lang {
  return useChanges(listeners, () => current)
}

/** The message of this key in the current language, `{name}` placeholders filled. */
export function t (key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = DICTS[current][key] ?? vi[key] ?? key
  return text.replace(/\{(\w+)\}/g, (_m, name: string) => String(params[name] ?? `{${name}}`))
}

/** A message key known to the dictionaries, or undefined (for codes and fields named by the server). */
export function known (key: string): MessageKey | undefined {
  return Object.hasOwn(vi, key) ? key as MessageKey : undefined
}

const VN_OFFSET_MS = 7 * 3600_000
const two = (n: number): string => String(n).padStart(2, '0')

/** A date-time in Vietnam's time: dd/MM/yyyy HH:mm:ss in Vietnamese, yyyy-MM-dd HH:mm:ss in English. */
export function formatDateTime (value: string | number | Date | null | undefined, withSeconds = true): string {
  if (value === null || value === undefined || value === '') return '—'
  const d = new Date(new Date(value).getTime() + VN_OFFSET_MS)
  if (Number.isNaN(d.getTime())) return String(value)
  const date = current === 'vi'
    ? `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`
    : `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`
  return `${date} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}${withSeconds ? `:${two(d.getUTCSeconds())}` : ''}`
}

/** A calendar date (yyyy-MM-dd from the API) as dd/MM/yyyy in Vietnamese. */
export function formatDate (isoDate: string | null | undefined): string {
  if (isoDate === null || isoDate === undefined || isoDate === '') return '—'
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate)
  if (m === null) return isoDate
  return current === 'vi' ? `${m[3]}/${m[2]}/${m[1]}` : `${m[1]}-${m[2]}-${m[3]}`
}

export const datePattern = (): string => current === 'vi' ? 'dd/MM/yyyy' : 'yyyy-MM-dd'

/**
 * A date typed in the current language's pattern, optionally with HH:mm, as an ISO instant in Vietnam's time;
 * `end` = the end of that day (or minute). Undefined when empty; null when it does not parse.
 */
export function parseDateInput (text: string, end = false): string | undefined | null {
  const s = text.trim()
  if (s === '') return undefined
  const m = current === 'vi'
    ? /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(s)
    : /^(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(s)
  if (m === null) return null
  const [y, mo, d] = current === 'vi' ? [m[3], m[2], m[1]] : [m[1], m[2], m[3]]
  const hasTime = m[4] !== undefined
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), hasTime ? Number(m[4]) : 0, hasTime ? Number(m[5]) : 0) - VN_OFFSET_MS
  const check = new Date(base + VN_OFFSET_MS)
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) return null
  return new Date(end ? base + (hasTime ? 59_999 : 86_399_999) : base).toISOString()
}

export function formatNumber (n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—'
  return n.toLocaleString(current === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: digits, minimumFractionDigits: 0 })
}

export const formatPercent = (r: number | null | undefined): string => r === null || r === undefined ? '—' : `${formatNumber(r * 100, 1)} %`
