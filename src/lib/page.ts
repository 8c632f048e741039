import { ValidationFailed } from '../errors.js'

/**
 * The one pagination scheme of the API (docs/api-conventions.md): `?limit=&cursor=` in, `{ items, nextCursor }`
 * out, `nextCursor` null on the last page. A cursor is opaque to clients: the sort key of the last item given
 * (or a position, for lists kept in memory), base64url-encoded.
 */
export interface Page<T> { items: T[], nextCursor: string | null }

export interface PageRequest {
  limit: number
  /** The sort key (or position) the previous page ended at; undefined for the first page. */
  after?: string
}

/** A pattern accepting exactly the decimal integers 1..max (query values are strings: the app's ajv does not coerce). */
export function upToPattern (max: number): string {
  const s = String(max)
  const alternatives = s.length > 1 ? [`[1-9]\\d{0,${s.length - 2}}`] : []
  for (let i = 0; i < s.length; i++) {
    const digit = Number(s[i])
    const low = i === 0 ? 1 : 0
    if (i === s.length - 1) alternatives.push(`${s.slice(0, i)}[${low}-${digit}]`)
    else if (digit > low) alternatives.push(`${s.slice(0, i)}[${low}-${digit - 1}]\\d{${s.length - i - 1}}`)
  }
  return `^(?:${alternatives.join('|')})$`
}

/** The `limit` and `cursor` query parameters, for a route's querystring `properties`. */
export function pageQuery (max: number, byDefault: number): Record<'limit' | 'cursor', object> {
  return {
    limit: { type: 'string', pattern: upToPattern(max), description: `Items per page: 1 to ${max} (default ${byDefault}).` },
    cursor: { type: 'string', minLength: 1, maxLength: 200, description: 'The `nextCursor` of the previous page.' }
  }
}

/** The envelope of a list of `item`s. */
export function pageSchema (item: object): object {
  return {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: {
      items: { type: 'array', items: item },
      nextCursor: {
        type: ['string', 'null'],
        description: 'Give it as `cursor` for the next page; null when this page is the last.'
      }
    }
  }
}

const encode = (key: string): string => Buffer.from(`k:${key}`, 'utf8').toString('base64url')

/** 400 VALIDATION_FAILED at /query/cursor. */
export const badCursor = (): Error => Object.assign(new ValidationFailed('cursor is not one this API gave'),
  { errors: [{ path: '/query/cursor', message: 'is not a cursor this API gave' }] })

/** Reads `limit` (default `byDefault`) and `cursor` (400 VALIDATION_FAILED at /query/cursor if it is not one of ours). */
export function readPage (query: { limit?: string, cursor?: string }, byDefault: number): PageRequest {
  const limit = query.limit === undefined ? byDefault : Number(query.limit)
  if (query.cursor === undefined) return { limit }
  const text = Buffer.from(query.cursor, 'base64url').toString('utf8')
  if (!text.startsWith('k:') || encode(text.slice(2)) !== query.cursor) throw badCursor()
  return { limit, after: text.slice(2) }
}

/**
 * A page of rows read as `limit + 1` rows after the cursor, in order (the extra row says there is more), each row
 * shown as `view` makes it; the next cursor is the sort key of the last row shown.
 */
export function pageOf<R, T = R> (rows: R[], limit: number, keyOf: (row: R) => string, view?: (row: R) => T): Page<T> {
  const shown = rows.slice(0, limit)
  return {
    items: view === undefined ? shown as unknown as T[] : shown.map(view),
    nextCursor: rows.length > limit ? encode(keyOf(shown[shown.length - 1])) : null
  }
}

/** A page of a list held in memory, in its order; the cursor is a position in it. */
export function pageOfList<T> (all: readonly T[], page: PageRequest): Page<T> {
  const start = page.after === undefined ? 0 : Number(page.after)
  if (!Number.isSafeInteger(start) || start < 0) throw badCursor()
  const end = start + page.limit
  return { items: all.slice(start, end), nextCursor: end < all.length ? encode(String(end)) : null }
}
