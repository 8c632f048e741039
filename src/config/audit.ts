import { hostname } from 'node:os'
import { dirname, join } from 'node:path'
import type { Env, Read } from './env.js'

/** The settings of the audit trail (docs/audit.md), as declared to env-schema (AUDIT_KEY is the top level's). */
export const AUDIT_ENV = {
  AUDIT_DATABASE_URL: { type: 'string' },
  AUDIT_BUFFER_MAX: { type: 'integer', minimum: 1, default: 20000 },
  AUDIT_BUFFER_HEADROOM: { type: 'integer', minimum: 0, default: 5000 },
  AUDIT_BATCH_SIZE: { type: 'integer', minimum: 1, maximum: 5000, default: 500 },
  AUDIT_FLUSH_MS: { type: 'integer', minimum: 0, maximum: 10000, default: 50 },
  AUDIT_RETENTION_MONTHS: { type: 'integer', minimum: 1, default: 60 },
  AUDIT_RETENTION_INTERVAL_MS: { type: 'integer', minimum: 0, default: 3600000 },
  AUDIT_SPILL_DIR: { type: 'string' },
  AUDIT_CHECKPOINT_INTERVAL_MS: { type: 'integer', minimum: 0, maximum: 600000, default: 5000 },
  AUDIT_SIGNING_KEY_FILE: { type: 'string' },
  AUDIT_PUBLIC_KEYS_FILE: { type: 'string' },
  AUDIT_WITNESS_DIR: { type: 'string' },
  AUDIT_WITNESS_MAX_BYTES: { type: 'integer', minimum: 4096, default: 16777216 },
  AUDIT_INSTANCE: { type: 'string' },
  AUDIT_TSA_URL: { type: 'string' },
  AUDIT_TSA_CERT_FILE: { type: 'string' },
  AUDIT_TSA_EVERY: { type: 'integer', minimum: 1, default: 1 },
  AUDIT_TSA_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 60000, default: 5000 },
} as const

export interface AuditCheckpointConfig {
  /** A checkpoint at most this often while events flow (and one at shutdown); 0 = only at shutdown. */
  intervalMs: number
  /** Ed25519 private key (PKCS#8 PEM); never in the database. */
  signingKeyFile: string
  /** True when AUDIT_SIGNING_KEY_FILE is not set: the key under DATA_DIR is made on first start. */
  createSigningKey: boolean
  /** Every public key that ever signed, with its validity (GET /v1/audit/keys). */
  publicKeysFile: string
  witnessDir: string
  witnessMaxBytes: number
  /** Names this gateway in its checkpoints and witness files. */
  instance: string
  /** RFC 3161 time-stamping authority: its URL and the certificate trusted for its tokens (PEM). */
  tsa?: { url: string, certFile: string }
  /** Time-stamp every Nth checkpoint; the TSA's deadline per request. */
  tsaEvery: number
  tsaTimeoutMs: number
}

/** The audit trail: its own connection pool, buffer bounds, batching, retention, spill directory, checkpoints. */
export interface AuditConfig {
  databaseUrl?: string
  bufferMax: number
  bufferHeadroom: number
  batchSize: number
  flushMs: number
  retentionMonths: number
  retentionIntervalMs: number
  spillDir: string
  /** Signed checkpoints of the chain head, kept outside PostgreSQL too (docs/audit.md §3). */
  checkpoints: AuditCheckpointConfig
}

export function auditConfig (e: Env, str: Read): AuditConfig {
  const tsaUrl = str('AUDIT_TSA_URL')
  const tsaCert = str('AUDIT_TSA_CERT_FILE')
  if ((tsaUrl === undefined) !== (tsaCert === undefined)) throw new Error('AUDIT_TSA_URL and AUDIT_TSA_CERT_FILE must be set together')
  const signingKeyFile = str('AUDIT_SIGNING_KEY_FILE')
  const keyFile = signingKeyFile ?? join(e.DATA_DIR as string, 'audit-signing', 'key.pem')
  return {
    databaseUrl: str('AUDIT_DATABASE_URL'),
    bufferMax: e.AUDIT_BUFFER_MAX as number,
    bufferHeadroom: e.AUDIT_BUFFER_HEADROOM as number,
    batchSize: e.AUDIT_BATCH_SIZE as number,
    flushMs: e.AUDIT_FLUSH_MS as number,
    retentionMonths: e.AUDIT_RETENTION_MONTHS as number,
    retentionIntervalMs: e.AUDIT_RETENTION_INTERVAL_MS as number,
    spillDir: str('AUDIT_SPILL_DIR') ?? join(e.DATA_DIR as string, 'audit-spill'),
    checkpoints: {
      intervalMs: e.AUDIT_CHECKPOINT_INTERVAL_MS as number,
      signingKeyFile: keyFile,
      createSigningKey: signingKeyFile === undefined,
      publicKeysFile: str('AUDIT_PUBLIC_KEYS_FILE') ?? join(dirname(keyFile), 'public-keys.json'),
      witnessDir: str('AUDIT_WITNESS_DIR') ?? join(e.DATA_DIR as string, 'audit-witness'),
      witnessMaxBytes: e.AUDIT_WITNESS_MAX_BYTES as number,
      instance: str('AUDIT_INSTANCE') ?? `${hostname()}-${process.pid}`,
      tsa: tsaUrl !== undefined && tsaCert !== undefined ? { url: tsaUrl, certFile: tsaCert } : undefined,
      tsaEvery: e.AUDIT_TSA_EVERY as number,
      tsaTimeoutMs: e.AUDIT_TSA_TIMEOUT_MS as number
    }
  }
}
