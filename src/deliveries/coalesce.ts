import { context, ROOT_CONTEXT, type Context } from '@opentelemetry/api'

export interface CoalesceOptions<I> {
  /** Calls run by one group at most. */
  maxBatch?: number
  /** Groups running at once. */
  maxInFlight?: number
  /** Calls with the same key never share a group (a later one waits for the next group). */
  keyOf?: (item: I) => string
}

interface Waiting<I, O> { item: I, ctx: Context, resolve: (out: O) => void, reject: (err: unknown) => void }

/**
 * Turns a function of one item into one that runs the calls made at the same time as one group: the calls of one
 * turn of the event loop (and those made while `maxInFlight` groups are running) go to `many` together, one
 * round trip instead of one each. Should `many` fail, each call of the group runs `one` on its own, so a group
 * never fails a call that would have succeeded alone. A group serves several traces: it runs outside all of them
 * (its database spans are not attributed to one caller); a call run alone runs in its caller's trace context.
 */
export function coalesce<I, O> (many: (items: I[]) => Promise<O[]>, one: (item: I) => Promise<O>, opts: CoalesceOptions<I> = {}): (item: I) => Promise<O> {
  const maxBatch = opts.maxBatch ?? 100
  const maxInFlight = opts.maxInFlight ?? 2
  let waiting: Array<Waiting<I, O>> = []
  let inFlight = 0
  let scheduled = false

  const schedule = (): void => {
    if (scheduled) return
    scheduled = true
    setImmediate(() => { scheduled = false; flush() })
  }

  const run = async (group: Array<Waiting<I, O>>): Promise<void> => {
    if (group.length > 1) {
      let outs: O[] | undefined
      try {
        outs = await context.with(ROOT_CONTEXT, async () => await many(group.map((w) => w.item)))
      } catch {
        outs = undefined
      }
      if (outs !== undefined) {
        group.forEach((w, i) => w.resolve(outs[i]))
        return
      }
    }
    await Promise.all(group.map(async (w) => {
      try {
        w.resolve(await context.with(w.ctx, async () => await one(w.item)))
      } catch (err) {
        w.reject(err)
      }
    }))
  }

  const flush = (): void => {
    while (inFlight < maxInFlight && waiting.length > 0) {
      let group: Array<Waiting<I, O>>
      if (opts.keyOf === undefined) {
        group = waiting.slice(0, maxBatch)
        waiting = waiting.slice(maxBatch)
      } else {
        group = []
        const rest: Array<Waiting<I, O>> = []
        const keys = new Set<string>()
        for (const w of waiting) {
          const key = opts.keyOf(w.item)
          if (group.length >= maxBatch || keys.has(key)) rest.push(w)
          else { group.push(w); keys.add(key) }
        }
        waiting = rest
      }
      inFlight++
      void run(group).finally(() => {
        inFlight--
        if (waiting.length > 0) schedule()
      })
    }
  }

  return async (item: I): Promise<O> => await new Promise<O>((resolve, reject) => {
    waiting.push({ item, ctx: context.active(), resolve, reject })
    schedule()
  })
}
