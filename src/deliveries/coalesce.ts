export interface CoalesceOptions<I> {
  /** Calls run by one group at most. */
  maxBatch?: number
  /** Groups running at once. */
  maxInFlight?: number
  /**
   * Calls sharing a key never run at the same time (neither in one group nor in two groups in flight) and keep the
   * order they were made in: a later one waits for a later group.
   */
  keysOf?: (item: I) => string[]
}

interface Waiting<I, O> { item: I, keys: string[], resolve: (out: O) => void, reject: (err: unknown) => void }

const NO_KEYS = (): string[] => []

/**
 * Turns a function of one item into one that runs the calls made at the same time as one group: the calls of one
 * turn of the event loop (and those made while `maxInFlight` groups are running) go to `many` together, one
 * round trip instead of one each. `many` answers each call: a value, or an Error for that call alone. Should
 * `many` fail as a whole, each call of the group runs `one` on its own, so a group never fails a call that would
 * have succeeded alone.
 */
export function coalesce<I, O> (many: (items: I[]) => Promise<Array<O | Error>>, one: (item: I) => Promise<O>, opts: CoalesceOptions<I> = {}): (item: I) => Promise<O> {
  const maxBatch = opts.maxBatch ?? 100
  const maxInFlight = opts.maxInFlight ?? 2
  const keysOf = opts.keysOf ?? NO_KEYS
  let waiting: Array<Waiting<I, O>> = []
  /** Keys of the calls in the groups running now. */
  const busy = new Set<string>()
  let inFlight = 0
  let scheduled = false

  const schedule = (): void => {
    if (scheduled) return
    scheduled = true
    setImmediate(() => { scheduled = false; flush() })
  }

  const alone = async (w: Waiting<I, O>): Promise<void> => {
    try {
      w.resolve(await one(w.item))
    } catch (err) {
      w.reject(err)
    }
  }

  const run = async (group: Array<Waiting<I, O>>): Promise<void> => {
    if (group.length === 1) return await alone(group[0])
    let outs: Array<O | Error>
    try {
      outs = await many(group.map((w) => w.item))
    } catch {
      await Promise.all(group.map(alone))
      return
    }
    group.forEach((w, i) => {
      const out = outs[i]
      if (out instanceof Error) w.reject(out)
      else w.resolve(out)
    })
  }

  const flush = (): void => {
    while (inFlight < maxInFlight && waiting.length > 0) {
      const group: Array<Waiting<I, O>> = []
      const rest: Array<Waiting<I, O>> = []
      // the keys of the group and of every call left for later (so that its later calls wait too); with `busy`,
      // the keys of the groups running
      const taken = new Set<string>()
      const held: string[] = []
      for (const w of waiting) {
        if (group.length >= maxBatch) {
          rest.push(w)
          continue
        }
        if (w.keys.every((k) => !busy.has(k) && !taken.has(k))) {
          group.push(w)
          held.push(...w.keys)
        } else {
          rest.push(w)
        }
        for (const k of w.keys) taken.add(k)
      }
      if (group.length === 0) return
      waiting = rest
      for (const k of held) busy.add(k)
      inFlight++
      void run(group).finally(() => {
        for (const k of held) busy.delete(k)
        inFlight--
        if (waiting.length > 0) schedule()
      })
    }
  }

  return async (item: I): Promise<O> => await new Promise<O>((resolve, reject) => {
    // a call's keys are computed once, not at every flush it waits through
    waiting.push({ item, keys: keysOf(item), resolve, reject })
    schedule()
  })
}
