import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Webhook signatures as the Standard Webhooks specification defines them (standardwebhooks.com): the signed
 * content is `{webhook-id}.{webhook-timestamp}.{body}`, the signature HMAC-SHA256 with the bytes of a `whsec_`
 * secret (base64 after the prefix), sent as `v1,{base64}`; several signatures (one per secret during a rotation's
 * overlap) are separated by spaces. The tests check these against the `standardwebhooks` library.
 */
export const SECRET_PREFIX = 'whsec_'

/** A new signing secret: `whsec_` + 32 random bytes in base64. */
export const newSecret = (): string => SECRET_PREFIX + randomBytes(32).toString('base64')

const keyOf = (secret: string): Buffer =>
  Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64')

function signature (key: Buffer, id: string, timestamp: number, body: string): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')
}

export interface WebhookHeaders {
  'webhook-id': string
  'webhook-timestamp': string
  'webhook-signature': string
}

/** The three headers of one message, signed with every secret given (newest first). */
export function signHeaders (secrets: readonly string[], id: string, body: string, now = Date.now()): WebhookHeaders {
  const timestamp = Math.floor(now / 1000)
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => `v1,${signature(keyOf(s), id, timestamp, body)}`).join(' ')
  }
}

export type VerifyResult = { ok: true, id: string, timestamp: number } | { ok: false, reason: string }

const header = (headers: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = headers[name]
  return typeof v === 'string' && v !== '' ? v : undefined
}

/**
 * Checks a received message: the three headers present, the timestamp within `toleranceS` of now (either way),
 * and one of its `v1` signatures made with one of `secrets` (compared in constant time).
 */
export function verifySignature (secrets: readonly string[], headers: Record<string, string | string[] | undefined>,
  body: string, toleranceS: number, now = Date.now()): VerifyResult {
  const id = header(headers, 'webhook-id')
  const ts = header(headers, 'webhook-timestamp')
  const sig = header(headers, 'webhook-signature')
  if (id === undefined || ts === undefined || sig === undefined) return { ok: false, reason: 'webhook-id, webhook-timestamp and webhook-signature are required' }
  if (id.length > 256) return { ok: false, reason: 'webhook-id is too long' }
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'webhook-timestamp must be seconds since the epoch' }
  const timestamp = Number(ts)
  if (Math.abs(now / 1000 - timestamp) > toleranceS) return { ok: false, reason: 'webhook-timestamp is outside the accepted window' }
  const given = sig.split(' ').filter((s) => s.startsWith('v1,')).map((s) => Buffer.from(s.slice(3), 'base64'))
  for (const secret of secrets) {
    const expected = Buffer.from(signature(keyOf(secret), id, timestamp, body), 'base64')
    if (given.some((g) => g.length === expected.length && timingSafeEqual(g, expected))) return { ok: true, id, timestamp }
  }
  return { ok: false, reason: 'no valid signature' }
}
