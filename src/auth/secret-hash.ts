import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

const scryptAsync = async (secret: string, salt: Buffer, len: number, opts: ScryptOptions): Promise<Buffer> =>
  await new Promise((resolve, reject) => {
    scrypt(secret, salt, len, opts, (err, key) => { if (err !== null) reject(err); else resolve(key) })
  })

const KEY_LEN = 32

/**
 * Slow hash of a client secret with scrypt (Node's own, memory-hard; no native addon to build):
 * `scrypt$N$r$p$salt$hash`, base64url parts. The cost travels with the hash, so it can be raised later.
 */
export async function hashSecret (secret: string, cost = 32768): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptAsync(secret, salt, KEY_LEN, { N: cost, r: 8, p: 1, maxmem: 256 * cost * 8 })
  return `scrypt$${cost}$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`
}

/** Constant-time check of a secret against a stored hash; false for any malformed hash. */
export async function verifySecret (secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [N, r, p] = parts.slice(1, 4).map(Number)
  const salt = Buffer.from(parts[4], 'base64url')
  const expected = Buffer.from(parts[5], 'base64url')
  const key = await scryptAsync(secret, salt, expected.length, { N, r, p, maxmem: 256 * N * r })
  return timingSafeEqual(key, expected)
}

/** A new client secret: 32 random bytes, base64url (43 characters). Shown once, never stored in clear. */
export const newSecret = (): string => randomBytes(32).toString('base64url')
