import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { chain } from '../../src/audit/canonical.js'
import type { Checkpoint } from '../../src/audit/checkpoint.js'
import { fromRow } from '../../src/audit/queries.js'
import type { AuditEventInput } from '../../src/audit/types.js'
import { build, tokenFor, type TestLike } from '../helper.js'
import { tamper } from './helper.js'

/** A directory of its own for one test (keys, witness files), removed at teardown. */
export async function tempDir (t: TestLike): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lienthong-checkpoints-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  return dir
}

/** Writes a new Ed25519 private key (PKCS#8 PEM) to `file`. */
export async function newKeyFile (file: string): Promise<void> {
  await writeFile(file, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
}

/** Environment of a gateway whose signing key, published keys and witness live under `dir`; checkpoints on demand. */
export async function checkpointEnv (dir: string, keyName = 'key-a.pem', instance = 'gw-1'): Promise<Record<string, string>> {
  const keyFile = join(dir, keyName)
  await newKeyFile(keyFile).catch(() => {})
  return {
    AUDIT_KEY: 'checkpoint-test-key-0123456789',
    AUDIT_SIGNING_KEY_FILE: keyFile,
    AUDIT_PUBLIC_KEYS_FILE: join(dir, 'public-keys.json'),
    AUDIT_WITNESS_DIR: join(dir, 'witness'),
    AUDIT_CHECKPOINT_INTERVAL_MS: '0',
    AUDIT_INSTANCE: instance
  }
}

export async function gatewayWithCheckpoints (t: TestLike, env: Record<string, string> = {}): Promise<{ app: FastifyInstance, auditor: string, dir: string }> {
  const dir = await tempDir(t)
  const app = await build(t, { env: { ...await checkpointEnv(dir), ...env } })
  return { app, auditor: await tokenFor(app, ['auditor']), dir }
}

let counter = 0
export const event = (over: Partial<AuditEventInput> = {}): AuditEventInput =>
  ({ kind: 'lookup', outcome: 'ok', service: 'citizen.lookup', clientId: 'c-1', requestId: `r-${++counter}`, subjects: ['079203001234'], ...over })

/** Writes `n` events, then makes a checkpoint of the head (undefined when there was nothing to sign). */
export async function eventsThenCheckpoint (app: FastifyInstance, n: number): Promise<Checkpoint | undefined> {
  for (let i = 0; i < n; i++) app.audit.emit(event())
  await app.auditTrail.writer.flush()
  return await app.auditTrail.checkpoints.checkpointer.tick(true)
}

/**
 * The insider's attack: as the superuser with the triggers off, change the client of the event at `seq` and
 * recompute, with the project's own code, the hash of every event from there on and the chain head.
 */
export async function rewriteEvent (app: FastifyInstance, seq: number, clientId: string): Promise<string> {
  const rows = (await app.db.query('SELECT * FROM audit_events WHERE seq >= $1 ORDER BY seq', [seq])).rows.map(fromRow)
  const before = (await app.db.query<{ hash: string }>('SELECT hash FROM audit_events WHERE seq = $1', [seq - 1])).rows[0]?.hash ?? '0'.repeat(64)
  rows[0] = { ...rows[0], clientId }
  const rehashed = chain(rows, BigInt(seq - 1), before)
  for (const e of rehashed) {
    await tamper(app, 'UPDATE audit_events SET client_id = $1, prev_hash = $2, hash = $3 WHERE id = $4', [e.clientId, e.prevHash, e.hash, e.id])
  }
  const last = rehashed[rehashed.length - 1]
  await tamper(app, 'UPDATE audit_chain_head SET last_hash = $1 WHERE id = 1', [last.hash])
  return rows[0].id
}
