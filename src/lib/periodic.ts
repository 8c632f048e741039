/**
 * Runs `fn` now and then every `intervalMs`, never two runs at once (a tick during a run is skipped); a failed
 * run goes to `onError`. Returns the function that stops it and waits for a run in progress.
 */
export function startPeriodic (fn: () => Promise<unknown>, intervalMs: number, onError: (err: Error) => void): () => Promise<void> {
  let running: Promise<unknown> | undefined
  const tick = (): void => {
    if (running !== undefined) return
    running = fn()
      .catch((err) => { onError(err as Error) })
      .finally(() => { running = undefined })
  }
  const timer = setInterval(tick, intervalMs)
  timer.unref()
  tick()
  return async () => {
    clearInterval(timer)
    await running
  }
}
