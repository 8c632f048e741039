import { randomBytes } from 'node:crypto'
import fp from 'fastify-plugin'
import { createPool } from '../db/pool.js'
import type { AuditSink } from '../audit/types.js'
import { AuditKeyring } from '../audit/prepare.js'
import { AuditStore } from '../audit/store.js'
import { AuditThread, threadScript } from '../audit/audit-thread.js'
import { readSpills, removeSpills, spill, spillTag } from '../audit/spill.js'
import { startCheckpoints, type CheckpointService } from '../audit/checkpoint-service.js'

/**
 * The statement deadline of the trail's own connections (a batch write of the audit thread, retention's partition
 * drops): longer than a request's, since none of them is on a request path and each is retried when it fails.
 */
const AUDIT_WRITE_DEADLINE_MS = 10_000

declare module 'fastify' {
  interface FastifyInstance {
    /** The audit trail's internals: the writer (buffer, stats), the keyring (subject search) and the store. */
    auditTrail: { writer: AuditThread, keys: AuditKeyring, store: AuditStore, checkpoints: CheckpointService }
  }
}

export interface AuditPluginOptions {
  /** Replaces the PostgreSQL writer as `app.audit` (benchmarks measuring the gateway without its trail). */
  sink?: AuditSink
}

/**
 * The audit trail (docs/audit.md): `app.audit` buffers events and writes them to PostgreSQL in batches from a
 * worker thread with its own small pool (AUDIT_DATABASE_URL, default DATABASE_URL), so neither the request path
 * nor a busy main pool holds the trail back. The pool here serves the key, the partitions and the retention.
 * Events left from a shutdown without database are read back at start; retention runs on a timer.
 */
export default fp<AuditPluginOptions>(async function audit (app, opts) {
  const cfg = app.config.audit
  const url = cfg.databaseUrl ?? app.config.databaseUrl
  if (url === undefined) throw new Error('DATABASE_URL is not set')
  const timeoutMs = app.config.dependencies.timeoutMs
  const deadlines = { queryMs: Math.max(timeoutMs, AUDIT_WRITE_DEADLINE_MS), connectMs: timeoutMs }
  const pool = createPool(url, { max: 2, name: 'lienthong-audit', deadlines, warn: (msg, err) => { app.log.warn({ err: err.message }, msg) } })
  const store = new AuditStore(pool)
  let key = app.config.auditKey
  if (key === undefined) {
    key = await store.localKey(randomBytes(32).toString('base64url'))
    app.log.warn('AUDIT_KEY is not set: subjects are hashed with a key kept in the database (development only)')
  }
  const keys = new AuditKeyring(key)
  const tag = spillTag(url)
  // Signed checkpoints of the chain head, witnessed outside the database (src/audit/checkpointer.ts).
  const checkpoints = await startCheckpoints(cfg.checkpoints, pool, tag, app.log.child({ component: 'audit-checkpoints' }))
    .catch(async (err: Error) => { await pool.end(); throw err })

  // Keyed hashes, canonical text and writes run in a worker thread (src/audit/audit-thread.ts), off the request path.
  const writer = new AuditThread({
    script: threadScript(),
    databaseUrl: url,
    key,
    max: cfg.bufferMax,
    headroom: cfg.bufferHeadroom,
    retryAfterSeconds: app.config.dependencies.retryAfterSeconds,
    batchSize: cfg.batchSize,
    flushMs: cfg.flushMs,
    deadlines,
    log: app.log.child({ component: 'audit' })
  })

  const spilled = await readSpills(cfg.spillDir, tag)
  if (spilled.events.length > 0) {
    writer.enqueue(spilled.events)
    await writer.flush()
    await removeSpills(spilled.files)
    app.log.info({ events: spilled.events.length }, 'audit events of an earlier shutdown written')
  }

  app.decorate('audit', opts.sink ?? writer)
  app.decorate('auditTrail', { writer, keys, store, checkpoints })

  const maintain = async (): Promise<void> => {
    try {
      await store.ensureAhead(2)
      const dropped = await store.dropExpired(cfg.retentionMonths)
      if (dropped.length > 0) app.log.info({ dropped }, 'audit partitions past the retention dropped')
    } catch (err) {
      app.log.warn({ err: (err as Error).message }, 'audit retention run failed')
    }
  }
  const timer = cfg.retentionIntervalMs > 0 ? setInterval(() => { void maintain() }, cfg.retentionIntervalMs) : undefined
  timer?.unref()

  // Registered before the queues and routes, so this runs after they have closed (their last events included).
  app.addHook('onClose', async () => {
    clearInterval(timer)
    const left = await writer.close(app.config.shutdownTimeoutMs)
    if (left.length > 0) {
      const file = await spill(cfg.spillDir, tag, left)
      app.log.error({ events: left.length, file }, 'audit events could not be written before shutdown: kept on disk for the next start')
    }
    await checkpoints.checkpointer.close(Math.min(app.config.shutdownTimeoutMs, cfg.checkpoints.tsaTimeoutMs + 2000))
    await pool.end()
  })
}, { name: 'audit', dependencies: ['config', 'db'] })
