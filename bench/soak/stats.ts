export interface Sample {
  t: number
  rss: number
  heapUsed: number
  eldMeanMs: number
  eldP50Ms: number
  eldP99Ms: number
  eldMaxMs: number
  /** RSS read from /proc/<pid>/status by the soak runner itself (a check of the probe's). */
  procRss?: number
}

export interface Window { from: string, samples: number, rssMb: number, heapUsedMb: number, eldMeanMs: number, eldP99Ms: number, eldMaxMs: number }

const mb = (bytes: number): number => Math.round(bytes / 1048576 * 10) / 10
const mean = (xs: number[]): number => xs.length === 0 ? NaN : xs.reduce((s, x) => s + x, 0) / xs.length
const round = (x: number): number => Math.round(x * 100) / 100

/** Means of one window of samples (the event-loop p99 is the mean of the per-sample p99s; max is the max). */
export function windowOf (samples: Sample[], start: number): Window {
  return {
    from: `${Math.round((samples[0]?.t - start) / 1000)} s`,
    samples: samples.length,
    rssMb: mb(mean(samples.map((s) => s.rss))),
    heapUsedMb: mb(mean(samples.map((s) => s.heapUsed))),
    eldMeanMs: round(mean(samples.map((s) => s.eldMeanMs))),
    eldP99Ms: round(mean(samples.map((s) => s.eldP99Ms))),
    eldMaxMs: round(Math.max(...samples.map((s) => s.eldMaxMs)))
  }
}

/** Least-squares slope of y over time, per minute. */
export function slopePerMinute (samples: Sample[], y: (s: Sample) => number): number {
  const xs = samples.map((s) => s.t / 60_000)
  const ys = samples.map(y)
  const mx = mean(xs)
  const my = mean(ys)
  const num = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0)
  const den = xs.reduce((s, x) => s + (x - mx) ** 2, 0)
  return den === 0 ? 0 : num / den
}

/**
 * Flat: the last window's RSS within 20 % (+ 16 MB) of the first's and the event-loop p99 within twice the first's
 * (+ 5 ms). Generous on purpose: the question is "does it grow without bound", not a benchmark.
 */
export function flat (first: Window, last: Window): { rss: boolean, eventLoop: boolean } {
  return {
    rss: last.rssMb <= first.rssMb * 1.2 + 16,
    eventLoop: last.eldP99Ms <= first.eldP99Ms * 2 + 5
  }
}
