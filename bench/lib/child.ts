/**
 * The child side of a bench process: `serve(main)` runs `main`, reports what it returns over IPC as `{ ready }`
 * (or `{ error }`), and runs the close function it gave once, on SIGTERM, SIGINT or when the parent goes away,
 * then exits (normally, so that `--cpu-prof` writes its profile).
 */
export function serve<T> (main: () => Promise<{ info: T, close: () => Promise<void> }>): void {
  let close: (() => Promise<void>) | undefined
  let closing = false
  const shutdown = (): void => {
    if (closing) return
    closing = true
    const hard = setTimeout(() => process.exit(2), 15_000)
    hard.unref()
    void (close?.() ?? Promise.resolve())
      .catch((err: Error) => { process.stderr.write(`close failed: ${err.message}\n`) })
      .finally(() => process.exit(0))
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
  process.once('disconnect', shutdown)
  // the parent may ask for this process's memory by kind (heap, external, array buffers)
  process.on('message', (m) => { if (m === 'memory') process.send?.({ memory: process.memoryUsage() }) })
  main().then((started) => {
    close = started.close
    if (closing) return
    process.send?.({ ready: started.info })
  }, (err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`)
    process.send?.({ error: err.message }, () => process.exit(1))
  })
}
