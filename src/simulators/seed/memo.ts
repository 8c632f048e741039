/** Caches a data set per seed: simulators of one seed share (and cross-reference) the same records. */
export function memoBySeed<T> (generate: (seed: number) => T): (seed: number) => T {
  const cache = new Map<number, T>()
  return (seed) => {
    let value = cache.get(seed)
    if (value === undefined) {
      value = generate(seed)
      cache.set(seed, value)
    }
    return value
  }
}
