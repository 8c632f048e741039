import type { ChildProcess } from 'node:child_process'
import { request } from 'undici'
import { askMemory } from './proc.js'

export interface MemoryPeaks {
  /** Highest value seen of each `process.memoryUsage()` field, in MB. */
  memoryMB: Record<string, number>
  /** Highest audit buffer depth seen on /metrics (events waiting to be written to PostgreSQL). */
  auditBufferDepth?: number
}

async function auditDepth (url: string): Promise<number | undefined> {
  const res = await request(`${url}/metrics`)
  const text = await res.body.text()
  const m = /^lienthong_audit_buffer_depth(?:\{[^}]*\})?\s+(\d+(?:\.\d+)?)/m.exec(text)
  return m !== null ? Number(m[1]) : undefined
}

/** Samples a gateway's memory by kind and its audit buffer depth every second until the returned function is called. */
export function watchMemory (proc: ChildProcess, url: string): () => Promise<MemoryPeaks> {
  const peaks: MemoryPeaks = { memoryMB: {} }
  const take = async (): Promise<void> => {
    const [mem, depth] = await Promise.all([askMemory(proc), auditDepth(url).catch(() => undefined)])
    for (const [k, v] of Object.entries(mem ?? {})) peaks.memoryMB[k] = Math.max(peaks.memoryMB[k] ?? 0, v)
    if (depth !== undefined) peaks.auditBufferDepth = Math.max(peaks.auditBufferDepth ?? 0, depth)
  }
  let busy: Promise<void> = Promise.resolve()
  const timer = setInterval(() => { busy = busy.then(take) }, 1000)
  return async () => {
    clearInterval(timer)
    await busy
    return peaks
  }
}
