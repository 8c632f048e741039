// The audit thread (a worker_threads entry, started by audit-thread.ts): the buffer, the keyed hashes, the
// canonical text and the PostgreSQL writes of the audit trail, off the gateway's event loop.
import { parentPort, workerData } from 'node:worker_threads'
import { createPool } from '../db/pool.js'
import { AuditKeyring, prepare } from './prepare.js'
import { AuditStore } from './store.js'
import { AuditWriter, type AuditLog } from './writer.js'
import type { AuditEventInput } from './types.js'
import type { PreparedEvent } from './canonical.js'
import type { FromThread, ThreadData, ToThread } from './thread-protocol.js'

const port = parentPort
if (port === null) throw new Error('writer-thread.js runs as a worker thread of the gateway')
const data = workerData as ThreadData
const send = (m: FromThread): void => { port.postMessage(m) }

const log: AuditLog = {
  info: (obj, msg) => { send({ t: 'log', level: 'info', obj, msg }) },
  error: (obj, msg) => { send({ t: 'log', level: 'error', obj, msg }) }
}

// Every wait bounded (a frozen database fails the batch, which stays buffered and is retried); connection errors
// are warnings here: the writer reports a failed batch itself, at error level, once per outage.
const pool = createPool(data.databaseUrl, { max: 2, name: 'lienthong-audit', deadlines: data.deadlines ?? { queryMs: 10_000, connectMs: 5000 }, warn: (msg, err) => { send({ t: 'log', level: 'warn', obj: { err: err.message }, msg }) } })
const keys = new AuditKeyring(data.key)
// The gateway bounds the buffer (it counts what it handed over and what was written): the thread never refuses.
const writer = new AuditWriter(new AuditStore(pool), {
  batchSize: data.batchSize,
  flushMs: data.flushMs,
  retryMaxMs: data.retryMaxMs,
  log,
  onProgress: (stats) => { send({ t: 'progress', stats }) }
})

/** An event prepare() cannot read (it should not happen) is kept as its kind and outcome, not lost. */
function prepareSafely (e: AuditEventInput, id: string, at: number): PreparedEvent {
  try {
    return prepare(e, keys, id, at)
  } catch (err) {
    log.error({ id, err: (err as Error).message }, 'audit event could not be prepared: kept without its fields')
    return prepare({ kind: e.kind, outcome: e.outcome, details: { unpreparable: true } }, keys, id, at)
  }
}

port.on('message', (m: ToThread) => {
  switch (m.t) {
    case 'emit':
      writer.enqueue(m.events.map((e, i) => prepareSafely(e, m.ids[i], m.ats[i])), m.again)
      break
    case 'enqueue':
      writer.enqueue(m.events.map((e) => ({ ...e, at: new Date(e.at) })), true)
      break
    case 'flush':
      void writer.flush().then(() => { send({ t: 'flushed', n: m.n, stats: writer.stats }) })
      break
    case 'close':
      void writer.close(m.timeoutMs).then(async (left) => {
        send({ t: 'closed', n: m.n, left, stats: writer.stats })
        await pool.end().catch(() => {}) // closing anyway: a connection that fails to end is dropped with the thread
        port.close()
      })
      break
  }
})
