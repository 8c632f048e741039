import type pg from 'pg'
import type { Checkpoint } from './checkpoint.js'
import { READER_ROLE, withAuditRole } from './store.js'

interface Row { n: string, seq: string, hash: string, at: Date, prev: string, kid: string, instance: string, digest: string, signature: string, timestamp: Buffer | null }

/** The checkpoint as published; `at` keeps the text that was signed (ISO 8601, milliseconds, Z). */
const fromRow = (r: Row): Checkpoint => ({
  n: r.n,
  seq: r.seq,
  hash: r.hash,
  at: r.at.toISOString(),
  prev: r.prev,
  kid: r.kid,
  instance: r.instance,
  digest: r.digest,
  signature: r.signature,
  timestamp: r.timestamp === null ? null : r.timestamp.toString('base64')
})

const COLUMNS = 'n, seq, hash, at, prev, kid, instance, digest, signature, timestamp'

/** Checkpoints after number `after`, in order, at most `limit` (in the caller's transaction). */
export async function checkpointsAfter (c: pg.ClientBase, after: string, limit: number): Promise<Checkpoint[]> {
  return (await c.query<Row>(`SELECT ${COLUMNS} FROM audit_checkpoints WHERE n > $1 ORDER BY n LIMIT $2`, [after, limit])).rows.map(fromRow)
}

/** A page of checkpoints for GET /v1/audit/checkpoints, read as the reader role. */
export async function listCheckpoints (db: pg.Pool, after: string, limit: number): Promise<Checkpoint[]> {
  return await withAuditRole(db, READER_ROLE, async (c) => await checkpointsAfter(c, after, limit))
}

/** The newest checkpoint in the database, if any. */
export async function lastCheckpoint (c: pg.ClientBase): Promise<Checkpoint | undefined> {
  return (await c.query<Row>(`SELECT ${COLUMNS} FROM audit_checkpoints ORDER BY n DESC LIMIT 1`)).rows.map(fromRow)[0]
}

export async function insertCheckpoint (c: pg.ClientBase, cp: Checkpoint): Promise<void> {
  await c.query(`INSERT INTO audit_checkpoints (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [cp.n, cp.seq, cp.hash, cp.at, cp.prev, cp.kid, cp.instance, cp.digest, cp.signature, cp.timestamp === null ? null : Buffer.from(cp.timestamp, 'base64')])
}
