import { createHash, sign, verify, type KeyObject } from 'node:crypto'
import { GENESIS_HASH } from './canonical.js'

export const CHECKPOINT_VERSION = 'lienthong-checkpoint/1'

/**
 * What a checkpoint signs: the chain head (`seq`, `hash`) at a time, chained to the previous checkpoint by that
 * one's digest (`prev`; "0" × 64 for the first). `n` numbers the checkpoints 1, 2, … without gaps, so a missing
 * one is visible; `kid` names the signing key, `instance` the gateway that signed. Positions are decimal strings.
 */
export interface CheckpointBody {
  n: string
  seq: string
  hash: string
  at: string
  prev: string
  kid: string
  instance: string
}

/**
 * A signed checkpoint as published (GET /v1/audit/checkpoints, witness files, `lienthong audit verify
 * --checkpoints`): the body, its digest (sha256 hex of the canonical text), the Ed25519 signature of the
 * canonical text (base64url) and, when a time-stamping authority is configured, its RFC 3161 token over the
 * digest (DER, base64).
 */
export interface Checkpoint extends CheckpointBody {
  digest: string
  signature: string
  timestamp: string | null
}

export const FIRST_PREV = GENESIS_HASH

/** The text that is signed and hashed: a JSON array of the version tag and the body's fields in fixed order. */
export const checkpointText = (b: CheckpointBody): string =>
  JSON.stringify([CHECKPOINT_VERSION, b.n, b.seq, b.hash, b.at, b.prev, b.kid, b.instance])

export const checkpointDigest = (b: CheckpointBody): string => createHash('sha256').update(checkpointText(b)).digest('hex')

/** Signs a body with an Ed25519 private key. */
export function signCheckpoint (body: CheckpointBody, key: KeyObject, timestamp: string | null = null): Checkpoint {
  const text = checkpointText(body)
  return {
    ...body,
    digest: createHash('sha256').update(text).digest('hex'),
    signature: sign(null, Buffer.from(text), key).toString('base64url'),
    timestamp
  }
}

/** True when the signature over the body holds for this public key and the digest is the body's. */
export function checkpointSignatureHolds (c: Checkpoint, key: KeyObject): boolean {
  if (checkpointDigest(c) !== c.digest) return false
  try {
    return verify(null, Buffer.from(checkpointText(c)), key, Buffer.from(c.signature, 'base64url'))
  } catch {
    return false
  }
}

const HEX64 = /^[0-9a-f]{64}$/
const DECIMAL = /^(?:0|[1-9]\d{0,18})$/

/** A checkpoint read from an untrusted source (a file, a POST), or undefined when its shape is wrong. */
export function parseCheckpoint (value: unknown): Checkpoint | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const v = value as Record<string, unknown>
  const s = (k: string): string | undefined => typeof v[k] === 'string' ? v[k] : undefined
  const n = s('n')
  const seq = s('seq')
  const hash = s('hash')
  const at = s('at')
  const prev = s('prev')
  const kid = s('kid')
  const instance = s('instance')
  const digest = s('digest')
  const signature = s('signature')
  const timestamp = v.timestamp === null || v.timestamp === undefined ? null : s('timestamp')
  if (n === undefined || !DECIMAL.test(n) || n === '0' || seq === undefined || !DECIMAL.test(seq)) return undefined
  if (hash === undefined || !HEX64.test(hash) || prev === undefined || !HEX64.test(prev)) return undefined
  if (digest === undefined || !HEX64.test(digest) || at === undefined || Number.isNaN(Date.parse(at))) return undefined
  if (kid === undefined || instance === undefined || signature === undefined || timestamp === undefined) return undefined
  return { n, seq, hash, at, prev, kid, instance, digest, signature, timestamp }
}
