import { readdirSync, readFileSync } from 'node:fs'

/**
 * CPU time in nanoseconds from /proc/<pid>/schedstat (the scheduler's own count, not the 10 ms ticks of
 * /proc/<pid>/stat): fine enough to compare a few µs per row over a few thousand rows. 0 for a process gone.
 */
export function cpuNs (pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0])
  } catch {
    return 0
  }
}

/**
 * CPU (ns) of every live process named `postgres` on the machine: the backends and the background processes
 * (WAL writer, checkpointer, autovacuum). Processes that exit between two readings are missed, so use it as a
 * second view next to one backend's own figure, not alone.
 */
export function postgresCpuNs (): number {
  let sum = 0
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      if (readFileSync(`/proc/${name}/stat`, 'utf8').includes('(postgres)')) sum += cpuNs(Number(name))
    } catch {}
  }
  return sum
}
