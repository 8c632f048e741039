import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

/**
 * Secret fields of connector configs, encrypted at rest with AES-256-GCM. A keyring holds the active key
 * (used for new writes) and older keys (still read), so keys rotate without downtime: add the new key in
 * front, restart or reload, then re-encrypt (`ConnectorSecrets.reencrypt`).
 *
 * Stored form: `enc:v1:<keyId>:<iv b64url>:<tag b64url>:<ciphertext b64url>`; the instance id is bound as
 * additional authenticated data, so a ciphertext copied into another instance does not decrypt.
 */
export interface Keyring { active: { id: string, key: Buffer }, all: Map<string, Buffer> }

const PREFIX = 'enc:v1:'
export const MASK = '********'

/** Parses `id1:base64key,id2:base64key` (first = active); each key must be 32 bytes. */
export function parseKeyring (spec: string): Keyring {
  const all = new Map<string, Buffer>()
  let active: Keyring['active'] | undefined
  for (const part of spec.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const i = part.indexOf(':')
    const id = i > 0 ? part.slice(0, i) : createHash('sha256').update(part).digest('hex').slice(0, 8)
    const key = Buffer.from(i > 0 ? part.slice(i + 1) : part, 'base64')
    if (key.length !== 32 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      throw new Error('SECRETS_KEY must be a comma-separated list of keyId:base64 32-byte keys')
    }
    all.set(id, key)
    active ??= { id, key }
  }
  if (active === undefined) throw new Error('SECRETS_KEY is empty')
  return { active, all }
}

export const isEncrypted = (v: unknown): v is string => typeof v === 'string' && v.startsWith(PREFIX)

export function encrypt (ring: Keyring, plain: string, aad: string): string {
  const iv = randomBytes(12)
  const c = createCipheriv('aes-256-gcm', ring.active.key, iv)
  c.setAAD(Buffer.from(aad))
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()])
  return `${PREFIX}${ring.active.id}:${iv.toString('base64url')}:${c.getAuthTag().toString('base64url')}:${ct.toString('base64url')}`
}

export function decrypt (ring: Keyring, stored: string, aad: string): string {
  const [keyId, iv, tag, ct] = stored.slice(PREFIX.length).split(':')
  const key = ring.all.get(keyId)
  if (key === undefined) throw new Error(`secret encrypted with unknown key "${keyId}"`)
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
  d.setAAD(Buffer.from(aad))
  d.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8')
}
