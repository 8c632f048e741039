import type { AuditEventInput } from './types.js'
import type { PreparedEvent } from './canonical.js'
import type { WriterStats } from './writer.js'
import type { PoolDeadlines } from '../db/pool.js'

/** What the audit thread is started with (`workerData`). */
export interface ThreadData {
  databaseUrl: string
  key: string
  batchSize: number
  flushMs: number
  retryMaxMs?: number
  /** The deadlines of the thread's connections (default: 10 s per statement, 5 s to connect). */
  deadlines?: PoolDeadlines
}

/**
 * Gateway → audit thread. `emit`: events as handed over, with the ids and times (epoch ms) the gateway gave them
 * (`again`: given to a thread before, which may have written them); `enqueue`: events already in their stored form (spill files, a restarted thread's backlog), appended with a
 * check for those already written. `flush` and `close` are answered with the same `n`.
 */
export type ToThread =
  | { t: 'emit', ids: string[], ats: number[], events: AuditEventInput[], again: boolean }
  | { t: 'enqueue', events: PreparedEvent[] }
  | { t: 'flush', n: number }
  | { t: 'close', n: number, timeoutMs: number }

/**
 * Audit thread → gateway. `progress` after every write attempt: the writer's stats, whose `written` counts the
 * events taken off the front of the thread's queue (written, or dropped as unstorable) since it started.
 */
export type FromThread =
  | { t: 'progress', stats: WriterStats }
  | { t: 'flushed', n: number, stats: WriterStats }
  | { t: 'closed', n: number, left: PreparedEvent[], stats: WriterStats }
  | { t: 'log', level: 'info' | 'warn' | 'error', obj: object, msg: string }
