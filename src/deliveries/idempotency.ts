import { createHash } from 'node:crypto'
import { ValidationFailed } from '../errors.js'

/** JSON with object keys sorted, so equal content gives equal text whatever the key order. */
export function canonicalJson (value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

const KEY = /^[A-Za-z0-9._:-]{8,128}$/

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
      { errors: [{ path: 'headers/idempotency-key', message: 'must be 8 to 128 characters among A-Z a-z 0-9 . _ : -' }] })
  }
  return { key: `key:${header}`, bodyHash }
}
