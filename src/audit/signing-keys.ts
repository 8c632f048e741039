import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/** A public key of the audit trail as published (GET /v1/audit/keys): PEM (SPKI) and the times it signs for. */
export interface PublishedKey {
  kid: string
  alg: 'Ed25519'
  publicKey: string
  /** From when checkpoints signed with this key are accepted. */
  notBefore: string
  /** Set when a newer key took over (plus ROTATION_GRACE_MS for instances still restarting); open while active. */
  notAfter: string | null
}

/** Checkpoints signed by a retired key are still accepted this long after its retirement (rolling restarts). */
export const ROTATION_GRACE_MS = 10 * 60_000

/** `kid` of an Ed25519 public key: the first 16 bytes of the sha256 of its SPKI DER, base64url. */
export const keyId = (publicKey: KeyObject): string =>
  createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest().subarray(0, 16).toString('base64url')

export interface SigningKey { kid: string, privateKey: KeyObject }

/** The public keys that verify checkpoints, by kid, with their validity. Built from published keys only. */
export class PublicKeySet {
  readonly #keys = new Map<string, { key: KeyObject, published: PublishedKey }>()

  constructor (published: PublishedKey[]) {
    for (const p of published) this.#keys.set(p.kid, { key: createPublicKey(p.publicKey), published: p })
  }

  get list (): PublishedKey[] { return [...this.#keys.values()].map((k) => k.published) }

  /** The key that verifies a checkpoint of `kid` made at `at`: 'unknown' or 'not-valid' when there is none. */
  keyFor (kid: string, at: string): KeyObject | 'unknown' | 'not-valid' {
    const k = this.#keys.get(kid)
    if (k === undefined) return 'unknown'
    const t = Date.parse(at)
    const { notBefore, notAfter } = k.published
    if (t < Date.parse(notBefore) || (notAfter !== null && t > Date.parse(notAfter) + ROTATION_GRACE_MS)) return 'not-valid'
    return k.key
  }
}

/**
 * Reads public keys from a file an auditor holds: the JSON of GET /v1/audit/keys (`{ items: [...] }`), a list of
 * such keys, or one PEM public key (valid at any time).
 */
export function parsePublicKeys (text: string): PublishedKey[] {
  if (text.trimStart().startsWith('-----BEGIN PUBLIC KEY-----')) {
    const key = createPublicKey(text)
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('the public key is not an Ed25519 key')
    return [{ kid: keyId(key), alg: 'Ed25519', publicKey: key.export({ type: 'spki', format: 'pem' }).toString(), notBefore: new Date(0).toISOString(), notAfter: null }]
  }
  const doc = JSON.parse(text) as { items?: unknown } | unknown[]
  const items = Array.isArray(doc) ? doc : (doc as { items?: unknown }).items
  if (!Array.isArray(items)) throw new Error('expected a PEM public key or the JSON of GET /v1/audit/keys')
  return items.map((i) => {
    const p = i as Partial<PublishedKey>
    if (typeof p.kid !== 'string' || typeof p.publicKey !== 'string' || typeof p.notBefore !== 'string') throw new Error('a key lacks kid, publicKey or notBefore')
    return { kid: p.kid, alg: 'Ed25519', publicKey: p.publicKey, notBefore: p.notBefore, notAfter: p.notAfter ?? null }
  })
}

function fromPrivatePem (pem: string, file: string): SigningKey {
  const privateKey = createPrivateKey(pem)
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${file}: the audit signing key must be an Ed25519 private key (PKCS#8 PEM)`)
  return { kid: keyId(createPublicKey(privateKey)), privateKey }
}

/**
 * The audit signing key: kept in a file, never in PostgreSQL. When `create` (the embedded default, no
 * AUDIT_SIGNING_KEY_FILE configured) and the file does not exist, a new Ed25519 key is written there (0600) —
 * exclusively, so processes starting together agree on one key.
 */
export async function loadSigningKey (file: string, create: boolean): Promise<SigningKey> {
  if (create) {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 })
    const { privateKey } = generateKeyPairSync('ed25519')
    await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { flag: 'wx', mode: 0o600 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err
    })
  }
  return fromPrivatePem(await readFile(file, 'utf8'), file)
}

/**
 * The published keys (a JSON file next to the private key, AUDIT_PUBLIC_KEYS_FILE): every key that ever signed,
 * so older checkpoints keep verifying after a rotation. When the active key is not listed yet, the open keys
 * are closed (`notAfter` now) and the active one is added (`notBefore` now); the file is replaced atomically.
 */
export async function publishKeys (file: string, active: SigningKey, now = new Date()): Promise<PublishedKey[]> {
  let keys: PublishedKey[] = []
  try {
    keys = parsePublicKeys(await readFile(file, 'utf8'))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file}: ${(err as Error).message}`)
  }
  if (keys.some((k) => k.kid === active.kid)) return keys
  const at = now.toISOString()
  keys = keys.map((k) => k.notAfter === null ? { ...k, notAfter: at } : k)
  const publicKey = createPublicKey(active.privateKey).export({ type: 'spki', format: 'pem' }).toString()
  keys.push({ kid: active.kid, alg: 'Ed25519', publicKey, notBefore: at, notAfter: null })
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`
  await writeFile(tmp, JSON.stringify({ items: keys }, null, 2) + '\n', { mode: 0o644 })
  await rename(tmp, file)
  return keys
}
