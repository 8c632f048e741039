import { createHash, createHmac, hash, randomUUID } from 'node:crypto'
import type { AuditEventInput } from './types.js'
import type { PreparedEvent } from './canonical.js'

/** Longest UTF-8 text (bytes) the prepared HMAC buffer takes; a third of it in UTF-16 units (3 bytes each at most). */
const SCRATCH = 16384

/**
 * Keyed hashes (HMAC-SHA256 with the audit key) of what must never be stored in clear: the subjects of an
 * exchange and the hashes of bodies (an unkeyed sha256 of `{"personalId":"…"}` could be reversed by trying every
 * PIN). A domain prefix keeps the two kinds of hash apart.
 */
export class AuditKeyring {
  readonly #key: Buffer
  /** HMAC-SHA256 (RFC 2104) with the padded keys prepared once: [key ⊕ ipad | message] and [key ⊕ opad | inner hash]. */
  readonly #inner = Buffer.alloc(64 + SCRATCH)
  readonly #outer = Buffer.alloc(64 + 32)

  constructor (key: string) {
    if (key.length < 16) throw new Error('the audit key must be at least 16 characters')
    this.#key = createHash('sha256').update(key).digest()
    for (let i = 0; i < 64; i++) {
      const k = i < this.#key.length ? this.#key[i] : 0
      this.#inner[i] = k ^ 0x36
      this.#outer[i] = k ^ 0x5c
    }
  }

  /**
   * HMAC-SHA256(key, text) in hex — the same value as `createHmac('sha256', key).update(text).digest('hex')`,
   * for about half its cost: two one-shot hashes over buffers prepared once instead of a new HMAC context per
   * value. Longer texts go through createHmac.
   */
  #hmac (text: string): string {
    if (text.length > SCRATCH / 3) return createHmac('sha256', this.#key).update(text).digest('hex')
    const n = this.#inner.write(text, 64, 'utf8')
    this.#outer.write(hash('sha256', this.#inner.subarray(0, 64 + n), 'binary'), 64, 'binary')
    this.#inner.fill(0, 64, 64 + n) // the text (an identifier, a body) does not stay in the buffer
    return hash('sha256', this.#outer, 'hex')
  }

  /** The stored form of a personal identifier (PIN, tax code, insurance code, card number). */
  subject (value: string): string { return this.#hmac('subject\0' + normalizeSubject(value)) }

  /** The stored form of a body hash (sha256 hex of the body as the emitter saw it). */
  body (sha256Hex: string): string { return this.#hmac('body-sha256\0' + sha256Hex.toLowerCase()) }

  /** The stored form of a body handed over whole. */
  rawBody (body: string | Uint8Array): string {
    if (typeof body === 'string') return this.#hmac('body\0' + body)
    return createHmac('sha256', this.#key).update('body\0').update(body).digest('hex')
  }

  /**
   * Free text with anything that could be a personal identifier replaced by a short keyed tag: health insurance
   * card numbers (2 letters + 13 digits) and every run of 9 or more digits, whatever surrounds it
   * (`CCCD075059793055`, `075059793055a`) and with single spaces or dashes inside (`075 059 793 055`,
   * `075-059-793-055`, a tax code's `-NNN` branch) — a PIN, ID card, tax or social insurance code, phone number. The
   * tag of a run is the keyed hash of its digits, so a PIN tags the same however it is written. UUIDs and dossier
   * codes (whose date and sequence make 10 digits) are left alone. It errs towards hiding: a long number that is not
   * an identifier (a date with its time, an amount) is tagged too.
   */
  scrub (text: string): string {
    if (!MAYBE.test(text)) return text
    return text.split(KEPT).map((part, i) => i % 2 === 1 ? part : part.replace(IDENTIFIER, (m) => `[subject:${this.subject(m.replace(SEPARATORS, '')).slice(0, 16)}]`)).join('')
  }
}

/** Left as they are: UUIDs, dossier codes (agency id, date, sequence). */
const KEPT = /([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}(?!\d))/
const SEPARATORS = /[\s\u2010-\u2015-]/g
/** Nine digits, a space or dash allowed between two of them: the cheap test before scrubbing. */
const MAYBE = /\d(?:[\s\u2010-\u2015-]?\d){8}/
const IDENTIFIER = /(?<![A-Za-z])[A-Za-z]{2}\d{13}(?!\d)|\d(?:[\s\u2010-\u2015-]?\d){8,}/g

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
    const own = Object.keys(obj)
    if (own.every(plainKey)) {
      // The usual case: keys that scrubbing would leave as they are; sorted only when they do not come in order.
      for (let i = 1; i < own.length; i++) {
        if (own[i - 1] >= own[i]) { own.sort(); break }
      }
      for (const k of own) {
        const d = details(keys, obj[k], depth + 1)
        if (d !== undefined) out[k] = d
      }
      return out
    }
    for (const [stored, k] of sortedKeys(keys, own)) {
      const d = details(keys, obj[k], depth + 1)
      if (d !== undefined) out[stored] = d
    }
    return out
  }
  return undefined
}

/** A key that `keys.scrub(noNul(key))` returns unchanged: no run of 9 digits, no NUL, no lone surrogate. */
const plainKey = (k: string): boolean => (k.length < 9 || !MAYBE.test(k)) && !k.includes('\u0000') && k.isWellFormed()

/** [stored key, own key] pairs in stored-key order. */
function sortedKeys (keys: AuditKeyring, own: string[]): Array<[string, string]> {
  const pairs = own.map((k): [string, string] => [keys.scrub(noNul(k)), k])
  return pairs.sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
}

const KEYED = /^[0-9a-f]{64}$/

/** Keyed, distinct and sorted: the stored form of the subjects of an event. */
function subjectsOf (keys: AuditKeyring, given: string[] | undefined, hashed?: string[]): string[] {
  if (hashed !== undefined && hashed.length > 0) {
    return [...new Set([...subjectsOf(keys, given), ...hashed.filter((h) => typeof h === 'string' && KEYED.test(h))])].sort()
  }
  if (given === undefined || given.length === 0) return []
  if (given.length === 1) return typeof given[0] === 'string' && given[0].trim() !== '' ? [keys.subject(given[0])] : []
  return [...new Set(given.filter((s) => typeof s === 'string' && s.trim() !== '').map((s) => keys.subject(s)))].sort()
}

/**
 * The stored form of an event: id and time assigned (`id` and `now`, epoch ms, when the emitter chose them; the
 * event's own `at` when valid), identifiers keyed, text scrubbed, numbers normalised.
 */
export function prepare (input: AuditEventInput, keys: AuditKeyring, id: string = randomUUID(), now: number = Date.now()): PreparedEvent {
  const subjects = subjectsOf(keys, input.subjects, input.subjectHashes)
  const given = input.at instanceof Date ? input.at.getUTCFullYear() : NaN
  const at = new Date(given >= 1970 && given <= 9999 ? (input.at as Date).getTime() : now)
  const d = input.details !== undefined ? details(keys, input.details) as Record<string, unknown> : null
  return {
    id,
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
