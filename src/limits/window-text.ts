const UNITS: Array<[ms: number, one: string]> = [[86_400_000, 'day'], [3_600_000, 'hour'], [60_000, 'minute'], [1000, 'second']]

/** A window as people say it: 1000 → "second", 60000 → "minute", 120000 → "2 minutes", 1500 → "1500 ms". */
export function windowText (ms: number): string {
  for (const [size, one] of UNITS) {
    if (ms % size !== 0) continue
    const n = ms / size
    return n === 1 ? one : `${n} ${one}s`
  }
  return `${ms} ms`
}
