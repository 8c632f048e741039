import type { UpstreamFailure } from '../connectors/contract.js'

export interface RetryPolicy {
  /** Portal calls per delivery before it is `failed` (a dead letter until an admin replays it). */
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
}

/** The policy of a connector instance: its `config.delivery`, falling back to the gateway's DELIVERY_* settings. */
export function retryPolicy (instanceConfig: Record<string, unknown>, defaults: RetryPolicy): RetryPolicy {
  const d = (instanceConfig.delivery ?? {}) as Partial<RetryPolicy>
  return {
    attempts: d.attempts ?? defaults.attempts,
    baseDelayMs: d.baseDelayMs ?? defaults.baseDelayMs,
    maxDelayMs: d.maxDelayMs ?? defaults.maxDelayMs
  }
}

/**
 * Exponential backoff with "equal jitter": half of min(cap, base·2^(n-1)) plus a random part of the other half,
 * so retries of a burst spread out but never come back immediately.
 */
export function retryDelay (attempt: number, policy: RetryPolicy, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(ceiling / 2 + random() * ceiling / 2)
}

const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])

function causeCode (err: unknown): string | undefined {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && NOT_SENT.has(code)) return code
  }
  return undefined
}

/**
 * Whether a failed call may nevertheless have been applied by the portal: a timeout or a connection lost after
 * the request went out. An answer of the portal (its own error_code, or an HTTP error of the portal itself),
 * a refused connection or an open circuit mean nothing was applied.
 */
export function maybeApplied (failure: UpstreamFailure): boolean {
  if (failure.kind === 'circuit_open') return false
  if (failure.upstreamCode !== undefined) return false
  if (failure.upstreamStatus !== undefined) return failure.upstreamStatus === 502 || failure.upstreamStatus === 504
  return causeCode(failure) === undefined
}
