import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os'

export interface Machine {
  cpu: string
  cores: number
  memoryGB: number
  node: string
  os: string
  /** 1, 5 and 15 minute load averages when the run started: a shared machine shows here. */
  loadAverage: number[]
}

export function machine (): Machine {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGB: Math.round(totalmem() / 1024 ** 3 * 10) / 10,
    node: process.version,
    os: `${process.platform} ${release()}`,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100)
  }
}

export const describeMachine = (m: Machine): string =>
  `${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, Node.js ${m.node}, ${m.os}; load average at start ${m.loadAverage.join(' / ')}`
