import { hash } from 'node:crypto'
import { ValidationFailed } from '../errors.js'

/**
 * JSON with object keys sorted (by UTF-16 code units, as `<` compares them), entries whose value is `undefined`
 * left out, so equal content gives equal text whatever the key order. Stored body hashes are made of this text:
 * its output must never change. One pass, one string, no intermediate arrays of entries.
 */
export function canonicalJson (value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value)
  if (Array.isArray(value)) {
    let out = '['
    // (an undefined element gives nothing between its commas, as `map(...).join(',')` did)
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + ((canonicalJson(value[i]) as string | undefined) ?? '')
    return out + ']'
  }
  const obj = value as Record<string, unknown>
  const keys = Object.keys(obj).sort()
  let out = '{'
  for (const k of keys) {
    const v = obj[k]
    if (v === undefined) continue
    out += (out.length > 1 ? ',' : '') + JSON.stringify(k) + ':' + canonicalJson(v)
  }
  return out + '}'
}

/** sha256 in hex, one call (no Hash object). */
export const sha256 = (text: string): string => hash('sha256', text, 'hex')

const KEY = /^[A-Za-z0-9._:-]{8,128}$/

/** The Idempotency-Key header as a JSON Schema (documented for the delivery routes; checked by `idempotencyOf`). */
export const idempotencyHeaderSchema = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      pattern: KEY.source,
      description: 'Repeating a request with the same key returns its delivery (200) instead of a second one; ' +
        'the same key with another body is 409. Without it, a repeated identical body is recognised.'
    }
  }
}

export interface IdempotencyIdentity {
  /** Stored key, unique per client: `key:<Idempotency-Key>` or `auto:<dossier code>:<body hash>`. */
  key: string
  /** Hash of what was asked (service, dossier code, body): same key with another hash → 409. */
  bodyHash: string
}

/**
 * The idempotency identity of a request (architecture.md §3.4): the `Idempotency-Key` header when given,
 * otherwise the dossier code and a hash of the body, so that a repeated request finds its delivery.
 */
export function idempotencyOf (header: unknown, service: string, dossierCode: string, body: unknown): IdempotencyIdentity {
  const bodyHash = sha256(canonicalJson({ service, dossierCode, body }))
  if (header === undefined) return { key: `auto:${service}:${dossierCode}:${bodyHash}`, bodyHash }
  if (typeof header !== 'string' || !KEY.test(header)) {
    throw Object.assign(new ValidationFailed('Idempotency-Key must be 8 to 128 characters among A-Z a-z 0-9 . _ : -'),
      { errors: [{ path: '/headers/idempotency-key', message: 'must be 8 to 128 characters among A-Z a-z 0-9 . _ : -' }] })
  }
  return { key: `key:${header}`, bodyHash }
}
