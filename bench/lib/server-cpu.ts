import { readdirSync, readFileSync } from 'node:fs'

/** User + system CPU (ms) of the private servers below this process, by name, with the children they reaped. */
export function serversCpuMs (): { postgres: number, redis: number } {
  const procs: Array<{ pid: number, ppid: number, comm: string, ms: number }> = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8')
      const f = text.slice(text.lastIndexOf(') ') + 2).split(' ')
      const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(') '))
      procs.push({ pid: Number(name), ppid: Number(f[1]), comm, ms: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10 })
    } catch {}
  }
  const out = { postgres: 0, redis: 0 }
  for (const p of procs.filter((x) => x.ppid === process.pid)) {
    if (p.comm.startsWith('redis')) out.redis += p.ms
    // the postmaster (its reaped backends included) and its live backends
    if (p.comm.startsWith('postgres')) out.postgres += p.ms + procs.filter((c) => c.ppid === p.pid).reduce((sum, c) => sum + c.ms, 0)
  }
  return out
}
