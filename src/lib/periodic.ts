import type { FastifyBaseLogger } from 'fastify'

/**
 * Runs `run` now and then every `intervalMs`, never two runs at once (a tick during a run is skipped); a failed
 * run is logged as `what` and the next tick tries again. Returns the function that stops it and waits for the run
 * in progress. The timer does not keep the process alive.
 */
export function startPeriodic (log: FastifyBaseLogger, what: string, run: () => Promise<unknown>, intervalMs: number): () => Promise<void> {
  let running: Promise<unknown> | undefined
  const tick = (): void => {
    if (running !== undefined) return
    running = run()
      .catch((err) => log.warn({ err: (err as Error).message }, `${what} failed`))
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
