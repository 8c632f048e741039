import { hexId } from './ids.js'
import type { SecretFields } from '../connectors/secret-fields.js'
import { newSecret } from './signature.js'

/** A signing secret as stored: encrypted at rest, bound to its owner (a subscription or a push source). */
export interface StoredSecret {
  id: string
  /** `enc:v1:…` (src/connectors/secrets.ts). */
  secret: string
  createdAt: string
  /** Set when a newer secret replaced it: it still signs (or verifies) until then. */
  expiresAt: string | null
}

/** What the API shows of a secret: never the value. */
export interface SecretView { id: string, createdAt: string, expiresAt: string | null }

/**
 * The `whsec_` secrets of subscriptions (signing) and push sources (verification), with rotation by overlap:
 * a rotation adds a new secret and gives the current ones an expiry `overlapS` ahead; until then messages carry
 * a signature per secret (Standard Webhooks allows several), so a receiver can switch when it is ready.
 */
export class SigningSecrets {
  readonly #sealer: SecretFields

  constructor (sealer: SecretFields) { this.#sealer = sealer }

  #issue (owner: string, now: Date): { stored: StoredSecret, plain: string } {
    const plain = newSecret()
    const id = hexId('key_', 6)
    return { plain, stored: { id, secret: this.#sealer.seal(plain, `${owner}#${id}`), createdAt: now.toISOString(), expiresAt: null } }
  }

  /** The first secret of a new owner. */
  first (owner: string, now = new Date()): { secrets: StoredSecret[], plain: string } {
    const { stored, plain } = this.#issue(owner, now)
    return { secrets: [stored], plain }
  }

  /** A new secret in front; the ones still valid expire `overlapS` from now (or earlier, if they already did). */
  rotate (owner: string, current: readonly StoredSecret[], overlapS: number, now = new Date()): { secrets: StoredSecret[], plain: string } {
    const until = new Date(now.getTime() + overlapS * 1000).toISOString()
    const kept = current
      .filter((s) => s.expiresAt === null || new Date(s.expiresAt) > now)
      .map((s) => ({ ...s, expiresAt: s.expiresAt !== null && s.expiresAt < until ? s.expiresAt : until }))
    const { stored, plain } = this.#issue(owner, now)
    return { secrets: [stored, ...kept], plain }
  }

  /** The secrets in force, in clear, newest first. */
  active (owner: string, stored: readonly StoredSecret[], now = new Date()): string[] {
    return stored
      .filter((s) => s.expiresAt === null || new Date(s.expiresAt) > now)
      .map((s) => this.#sealer.open(s.secret, `${owner}#${s.id}`))
  }

  static view (stored: readonly StoredSecret[]): SecretView[] {
    return stored.map(({ id, createdAt, expiresAt }) => ({ id, createdAt, expiresAt }))
  }
}
