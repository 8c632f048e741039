import { createHash, createHmac, randomUUID } from 'node:crypto'
import type { AuditEventInput } from './types.js'
import type { PreparedEvent } from './canonical.js'

/**
 * Keyed hashes (HMAC-SHA256 with the audit key) of what must never be stored in clear: the subjects of an
 * exchange and the hashes of bodies (an unkeyed sha256 of `{"personalId":"…"}` could be reversed by trying every
 * PIN). A domain prefix keeps the two kinds of hash apart.
 */
export class AuditKeyring {
  readonly #key: Buffer

  constructor (key: string) {
    if (key.length < 16) throw new Error('the audit key must be at least 16 characters')
    this.#key = createHash('sha256').update(key).digest()
  }

  #mac (domain: string, value: string): string {
    return createHmac('sha256', this.#key).update(domain).update('\0').update(value).digest('hex')
  }

  /** The stored form of a personal identifier (PIN, tax code, insurance code, card number). */
  subject (value: string): string { return this.#mac('subject', normalizeSubject(value)) }

  /** The stored form of a body hash (sha256 hex of the body as the emitter saw it). */
  body (sha256Hex: string): string { return this.#mac('body-sha256', sha256Hex.toLowerCase()) }

  /** The stored form of a body handed over whole. */
  rawBody (body: string | Buffer): string {
    return createHmac('sha256', this.#key).update('body\0').update(body).digest('hex')
  }

  /**
   * Free text with anything that looks like a personal identifier replaced by a short keyed tag: runs of 9–13
   * digits (ID card, PIN, tax code with its optional -NNN branch, social insurance code) and health insurance
   * card numbers (2 letters + 13 digits). UUIDs are left alone.
   */
  scrub (text: string): string {
    if (!/\d{9}/.test(text)) return text
    return text.split(UUID).map((part, i) => i % 2 === 1 ? part : part.replace(IDENTIFIER, (m) => `[subject:${this.subject(m).slice(0, 16)}]`)).join('')
  }
}

const UUID = /([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/
const IDENTIFIER = /(?<![0-9A-Za-z])(?:[A-Za-z]{2}\d{13}|\d{9,13}(?:-\d{3})?)(?![0-9A-Za-z])/g

export const normalizeSubject = (value: string): string => value.replace(/\s+/g, '').toUpperCase()

const MAX_TEXT = 512
const MAX_DEPTH = 8

/** PostgreSQL text and jsonb hold neither NUL characters nor lone UTF-16 surrogates. */
const noNul = (s: string): string => {
  const t = s.includes('\u0000') ? s.replaceAll('\u0000', '') : s
  return t.isWellFormed() ? t : t.toWellFormed()
}

function text (keys: AuditKeyring, value: string | undefined): string | null {
  if (typeof value !== 'string' || value === '') return null
  return keys.scrub(noNul(value.length > MAX_TEXT ? value.slice(0, MAX_TEXT) : value))
}

function plain (value: string | undefined): string | null {
  return typeof value === 'string' && value !== '' ? noNul(value.slice(0, MAX_TEXT)) : null
}

function int (value: number | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 2 ** 31 ? Math.round(value) : null
}

function ms (value: number | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value * 1000) / 1000 : null
}

/** Details as plain JSON (no undefined, no functions, no non-finite numbers), keys sorted, every string scrubbed. */
function details (keys: AuditKeyring, value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return '[truncated]'
  if (typeof value === 'string') return text(keys, value) ?? ''
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'boolean' || value === null) return value
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map((v) => details(keys, v, depth + 1) ?? null)
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {}
    const obj = value as Record<string, unknown>
    for (const [stored, k] of sortedKeys(keys, obj)) {
      const d = details(keys, obj[k], depth + 1)
      if (d !== undefined) out[stored] = d
    }
    return out
  }
  return undefined
}

/** [stored key, own key] pairs in stored-key order; no sorting when the keys already come in order (the usual case). */
function sortedKeys (keys: AuditKeyring, obj: Record<string, unknown>): Array<[string, string]> {
  const pairs = Object.keys(obj).map((k): [string, string] => [keys.scrub(noNul(k)), k])
  for (let i = 1; i < pairs.length; i++) {
    if (pairs[i - 1][0] >= pairs[i][0]) return pairs.sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
  }
  return pairs
}

/** The stored form of an event: id and time assigned, identifiers keyed, text scrubbed, numbers normalised. */
export function prepare (input: AuditEventInput, keys: AuditKeyring): PreparedEvent {
  const subjects = [...new Set((input.subjects ?? []).filter((s) => typeof s === 'string' && s.trim() !== '').map((s) => keys.subject(s)))].sort()
  const given = input.at instanceof Date ? input.at.getUTCFullYear() : NaN
  const at = given >= 1970 && given <= 9999 ? new Date((input.at as Date).getTime()) : new Date()
  const d = input.details !== undefined ? details(keys, input.details) as Record<string, unknown> : null
  return {
    id: randomUUID(),
    at,
    kind: input.kind,
    outcome: input.outcome,
    traceId: plain(input.traceId),
    spanId: plain(input.spanId),
    requestId: text(keys, input.requestId),
    clientId: text(keys, input.clientId),
    endUser: text(keys, input.endUser),
    purpose: text(keys, input.purpose),
    caseId: text(keys, input.caseId),
    service: text(keys, input.service),
    connector: text(keys, input.connector),
    httpStatus: int(input.httpStatus),
    upstreamStatus: int(input.upstreamStatus),
    durationMs: ms(input.durationMs),
    upstreamDurationMs: ms(input.upstreamDurationMs),
    requestBytes: int(input.requestBytes),
    responseBytes: int(input.responseBytes),
    requestHash: input.requestBody !== undefined ? keys.rawBody(input.requestBody) : input.requestHash !== undefined ? keys.body(input.requestHash) : null,
    responseHash: input.responseBody !== undefined ? keys.rawBody(input.responseBody) : input.responseHash !== undefined ? keys.body(input.responseHash) : null,
    errorCode: text(keys, input.errorCode),
    subjects,
    details: d,
    detailsJson: JSON.stringify(d)
  }
}
