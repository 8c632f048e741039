/**
 * Exponential backoff with full jitter: a random delay in [0, min(cap, base·2^(attempt-1))].
 * Full jitter spreads the retries of many callers hitting the same failing upstream.
 */
export function backoffDelay (attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(random() * ceiling)
}

export const sleep = async (ms: number, signal?: AbortSignal): Promise<void> =>
  await new Promise((resolve, reject) => {
    if (signal?.aborted === true) { reject(signal.reason); return }
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    const onAbort = (): void => { clearTimeout(timer); reject(signal?.reason) }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
