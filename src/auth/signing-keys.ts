import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type pg from 'pg'
import { withPoolClient } from '../db/pool.js'

export interface SigningKey { kid: string, privatePem: string, publicPem: string }
export interface PublicJwk extends JsonWebKey { kid: string, alg: string, use: string }

const ALG = 'ES256'
const KEYGEN_LOCK = 727_002

/** RFC 7638 thumbprint of an EC public key, used as its `kid`. */
function thumbprint (publicPem: string): string {
  const jwk = createPublicKey(publicPem).export({ format: 'jwk' })
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })
  return createHash('sha256').update(canonical).digest('base64url')
}

function fromPrivatePem (privatePem: string): SigningKey {
  const key = createPrivateKey(privatePem)
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('the JWT signing key must be an EC P-256 private key (ES256)')
  }
  const publicPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString()
  return { kid: thumbprint(publicPem), privatePem, publicPem }
}

/**
 * The gateway's signing key: the configured PEM file, else the newest key in PostgreSQL, else a new
 * ES256 key created once (under an advisory lock, so instances starting together agree on one key).
 */
export async function loadSigningKey (pool: pg.Pool, privateKeyFile?: string): Promise<SigningKey> {
  if (privateKeyFile !== undefined) return fromPrivatePem(await readFile(privateKeyFile, 'utf8'))
  return await withPoolClient(pool, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [KEYGEN_LOCK])
    const { rows } = await client.query<{ kid: string, private_pem: string, public_pem: string }>(
      'SELECT kid, private_pem, public_pem FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1')
    if (rows.length > 0) return { kid: rows[0].kid, privatePem: rows[0].private_pem, publicPem: rows[0].public_pem }
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    const key = fromPrivatePem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())
    await client.query('INSERT INTO signing_keys (kid, alg, private_pem, public_pem) VALUES ($1, $2, $3, $4)',
      [key.kid, ALG, key.privatePem, key.publicPem])
    return key
  }, async (client) => await client.query('SELECT pg_advisory_unlock($1)', [KEYGEN_LOCK]))
}

/** Public keys that verify tokens still in circulation (the active key and keys retired < 1 h ago). */
export async function loadPublicKeys (pool: pg.Pool, active: SigningKey): Promise<Map<string, string>> {
  const keys = new Map([[active.kid, active.publicPem]])
  const { rows } = await pool.query<{ kid: string, public_pem: string }>(
    "SELECT kid, public_pem FROM signing_keys WHERE retired_at IS NULL OR retired_at > now() - interval '1 hour'")
  for (const r of rows) keys.set(r.kid, r.public_pem)
  return keys
}

export function toJwk (kid: string, publicPem: string): PublicJwk {
  const jwk = createPublicKey(publicPem).export({ format: 'jwk' })
  return { ...jwk, kid, alg: ALG, use: 'sig' }
}

export const SIGNING_ALG = ALG
