import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { setTimeout as sleep } from 'node:timers/promises'

/** `global.gc` without a command-line flag: V8 exposes it to contexts created after the flag is set. */
function collector (): () => void {
  const existing = (globalThis as { gc?: () => void }).gc
  if (existing !== undefined) return existing
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

const gc = collector()

/** heapUsed after full collections, letting timers and I/O settle in between. */
export async function settledHeap (): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc()
    await sleep(50)
  }
  return process.memoryUsage().heapUsed
}

/** Own property names of the built-in prototypes a pollution would change. */
export function prototypeShape (): string {
  return JSON.stringify([Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((p) => Object.getOwnPropertyNames(p).sort()))
}
