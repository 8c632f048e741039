import type { ConnectorType } from './contract.js'
import { getAt, setAt } from './json-pointer.js'
import { MASK, decrypt, encrypt, isEncrypted, type Keyring } from './secrets.js'

const clone = <T>(v: T): T => structuredClone(v)

/**
 * Applies a connector type's secret fields to a config: masking for reads, keeping stored secrets when an
 * update omits them (or sends the mask back), encrypting for storage and decrypting for use.
 */
export class SecretFields {
  readonly #ring: Keyring

  constructor (ring: Keyring) { this.#ring = ring }

  get activeKeyId (): string { return this.#ring.active.id }

  mask (type: ConnectorType | undefined, config: Record<string, unknown>): Record<string, unknown> {
    const out = clone(config)
    for (const p of type?.secretFields ?? []) if (getAt(out, p) !== undefined) setAt(out, p, MASK)
    return out
  }

  /** Fills secret fields that the update left out (or masked) from the stored config; `kept` names them. */
  keepOmitted (type: ConnectorType, incoming: Record<string, unknown>, stored: Record<string, unknown> | undefined): { config: Record<string, unknown>, kept: string[] } {
    const out = clone(incoming)
    const kept: string[] = []
    for (const p of type.secretFields) {
      const v = getAt(out, p)
      const old = stored !== undefined ? getAt(stored, p) : undefined
      if ((v === undefined || v === MASK) && old !== undefined) {
        setAt(out, p, old)
        kept.push(p)
      }
    }
    return { config: out, kept }
  }

  encryptFor (type: ConnectorType, id: string, config: Record<string, unknown>): Record<string, unknown> {
    const out = clone(config)
    for (const p of type.secretFields) {
      const v = getAt(out, p)
      if (typeof v === 'string' && !isEncrypted(v)) setAt(out, p, encrypt(this.#ring, v, `${id}${p}`))
    }
    return out
  }

  decryptFor (type: ConnectorType, id: string, config: Record<string, unknown>): Record<string, unknown> {
    const out = clone(config)
    for (const p of type.secretFields) {
      const v = getAt(out, p)
      if (isEncrypted(v)) setAt(out, p, decrypt(this.#ring, v, `${id}${p}`))
    }
    return out
  }

  /** Re-encrypts every secret not under the active key; returns the new config, or undefined if unchanged. */
  reencrypt (type: ConnectorType, id: string, config: Record<string, unknown>): Record<string, unknown> | undefined {
    let changed = false
    const out = clone(config)
    for (const p of type.secretFields) {
      const v = getAt(out, p)
      if (isEncrypted(v) && !v.startsWith(`enc:v1:${this.#ring.active.id}:`)) {
        setAt(out, p, encrypt(this.#ring, decrypt(this.#ring, v, `${id}${p}`), `${id}${p}`))
        changed = true
      }
    }
    return changed ? out : undefined
  }

  /** One secret value encrypted under the active key, bound to `aad` (its owner: another owner cannot decrypt it). */
  seal (plain: string, aad: string): string { return encrypt(this.#ring, plain, aad) }

  /** The clear value of `seal`. */
  open (stored: string, aad: string): string { return decrypt(this.#ring, stored, aad) }
}
