import { LRUCache } from 'lru-cache'
import type { RetryPolicy } from '../../deliveries/retry-policy.js'
import type { SigningSecrets } from '../signing-secrets.js'
import type { SubscriptionStore } from '../subscriptions.js'

/** What a lane needs of its subscription: where to send, with which secrets, for whom and why. */
export interface LaneTarget {
  id: string
  clientId: string
  purpose: string
  url: URL
  /** Secrets in force, in clear, newest first. */
  secrets: string[]
  policy: RetryPolicy
}

/**
 * Subscriptions as lanes read them: cached for `ttlMs` (a changed URL, policy or rotated secret takes effect on
 * every instance within that time), undefined for one that is gone, disabled or pulled by its subscriber.
 */
export class LaneTargets {
  readonly #store: SubscriptionStore
  readonly #signing: SigningSecrets
  readonly #cache: LRUCache<string, LaneTarget | false>

  constructor (store: SubscriptionStore, signing: SigningSecrets, ttlMs: number) {
    this.#store = store
    this.#signing = signing
    this.#cache = new LRUCache({ max: 10_000, ttl: Math.max(1, ttlMs) })
  }

  async get (id: string): Promise<LaneTarget | undefined> {
    const hit = this.#cache.get(id)
    if (hit !== undefined) return hit === false ? undefined : hit
    const s = await this.#store.get(id)
    const target = s === undefined || !s.enabled || s.callbackUrl === null
      ? false
      : {
          id: s.id,
          clientId: s.clientId,
          purpose: s.purpose,
          url: new URL(s.callbackUrl),
          secrets: this.#signing.active(s.id, s.secrets),
          policy: { attempts: s.retryPolicy.attempts, baseDelayMs: s.retryPolicy.baseDelayMs, maxDelayMs: s.retryPolicy.maxDelayMs }
        }
    this.#cache.set(id, target)
    return target === false ? undefined : target
  }

  /** Forgets one subscription (after a change made by this instance). */
  forget (id: string): void { this.#cache.delete(id) }
}
