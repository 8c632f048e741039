import { readFile } from 'node:fs/promises'
import type pg from 'pg'
import type * as pkijs from 'pkijs'
import type { AuditCheckpointConfig } from '../config.js'
import { Checkpointer } from './checkpointer.js'
import { loadSigningKey, publishKeys, PublicKeySet } from './signing-keys.js'
import { WitnessFile } from './witness.js'
import type { AuditLog } from './writer.js'

/** What verification trusts, all of it from outside the database: the published keys and the TSA's certificate. */
export interface Trust { keys: PublicKeySet, tsaCerts: pkijs.Certificate[] }

export interface CheckpointService { checkpointer: Checkpointer, trust: Trust, witnessDir: string, tag: string }

/** Reads the TSA certificate(s) of a PEM file (one or several certificates). */
export async function readCertificates (file: string): Promise<pkijs.Certificate[]> {
  const text = await readFile(file, 'utf8')
  const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  if (pems.length === 0) throw new Error(`${file} holds no PEM certificate`)
  // pkijs is loaded only where a TSA is trusted (≈ 3 MB of heap otherwise spent on nothing)
  const { parseCertificate } = await import('./tsa/token.js')
  return pems.map((p) => parseCertificate(p))
}

/**
 * The signing key (made under DATA_DIR on first start in the embedded default), the published public keys (the
 * active one added at its first use), the trusted TSA certificate, and the checkpointer writing to this
 * instance's witness file.
 */
export async function startCheckpoints (cfg: AuditCheckpointConfig, pool: pg.Pool, tag: string, log: AuditLog): Promise<CheckpointService> {
  const key = await loadSigningKey(cfg.signingKeyFile, cfg.createSigningKey)
  const keys = new PublicKeySet(await publishKeys(cfg.publicKeysFile, key))
  const tsaCerts = cfg.tsa !== undefined ? await readCertificates(cfg.tsa.certFile) : []
  const witness = new WitnessFile({ dir: cfg.witnessDir, tag, instance: cfg.instance, maxBytes: cfg.witnessMaxBytes })
  const checkpointer = new Checkpointer({
    pool, key, keys, instance: cfg.instance, intervalMs: cfg.intervalMs, tsa: cfg.tsa === undefined ? undefined : { url: cfg.tsa.url, every: cfg.tsaEvery, timeoutMs: cfg.tsaTimeoutMs }, witness, witnessDir: cfg.witnessDir, tag, log
  })
  await checkpointer.start()
  return { checkpointer, trust: { keys, tsaCerts }, witnessDir: cfg.witnessDir, tag }
}
