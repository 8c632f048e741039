import t from 'tap'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { run } from '../../src/cli/main.js'
import { chain } from '../../src/audit/canonical.js'
import { parseExportLine } from '../../src/audit/offline-verify.js'
import { newTsaIdentity } from '../../src/dev/tsa-cert.js'
import { startDevTsa } from '../../src/dev/tsa.js'
import { get } from '../audit/helper.js'
import { eventsThenCheckpoint, gatewayWithCheckpoints, tempDir } from '../audit/checkpoint-helper.js'

async function cli (argv: string[]): Promise<{ code: number, out: string, err: string }> {
  const out: string[] = []
  const err: string[] = []
  const code = await run(argv, { out: (s) => out.push(s), err: (s) => err.push(s), env: {} })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

t.test('an export is verified offline against the checkpoints with the public key only; a rewrite is found', async (t) => {
  const tsa = await startDevTsa({ identity: await newTsaIdentity() })
  t.teardown(tsa.close)
  const dir = await tempDir(t)
  const tsaCert = join(dir, 'tsa.pem')
  await writeFile(tsaCert, tsa.certPem)
  const { app, auditor } = await gatewayWithCheckpoints(t, { AUDIT_TSA_URL: tsa.url, AUDIT_TSA_CERT_FILE: tsaCert })
  await eventsThenCheckpoint(app, 3)
  await eventsThenCheckpoint(app, 3)
  app.audit.emit({ kind: 'admin.change', outcome: 'ok', details: { b: 1, a: { z: [1, 2], y: 'x' } } })
  await app.auditTrail.writer.flush()

  // What an inspector from another agency is given: public material only.
  const files = { export: join(dir, 'export.ndjson'), checkpoints: join(dir, 'checkpoints.ndjson'), keys: join(dir, 'keys.json'), pem: join(dir, 'key.pem') }
  await writeFile(files.export, (await get(app, auditor, '/v1/audit/export')).body)
  const cps = (await get(app, auditor, '/v1/audit/checkpoints')).json().items as unknown[]
  await writeFile(files.checkpoints, cps.map((c) => JSON.stringify(c) + '\n').join(''))
  const keys = (await get(app, auditor, '/v1/audit/keys')).json()
  await writeFile(files.keys, JSON.stringify(keys))
  await writeFile(files.pem, keys.items[0].publicKey)
  await app.close()

  const base = ['audit', 'verify', '--export', files.export, '--checkpoints', files.checkpoints]
  const ok = await cli([...base, '--public-key', files.keys, '--tsa-cert', tsaCert])
  t.equal(ok.code, 0, ok.out + ok.err)
  t.match(ok.out, 'OK: 7 events checked')
  t.match(ok.out, 'checkpoints: 2 read, 2 valid, 2 with a verified time-stamp')
  t.match(ok.out, 'covered by a checkpoint: 6 events up to position 6; newer than the last checkpoint: 1')
  const pem = await cli([...base, '--public-key', files.pem, '--json'])
  t.equal(pem.code, 0, 'a bare PEM key will do; without --tsa-cert the tokens are not checked')
  t.match(JSON.parse(pem.out), { ok: true, checkpoints: { valid: 2, timestampsNotChecked: 2 } })

  // The insider rewrites event 2 in the export and recomputes the chain with the project's own code.
  const events = (await readFile(files.export, 'utf8')).trim().split('\n').map(parseExportLine)
  events[1] = { ...events[1], clientId: 'someone-else' }
  const forged = [events[0], ...chain(events.slice(1), 1n, events[0].hash)]
  await writeFile(files.export, forged.map((e) => JSON.stringify(e)).join('\n') + '\n')
  const bad = await cli([...base, '--public-key', files.keys])
  t.equal(bad.code, 1)
  t.match(bad.out, 'FAILED: 7 events checked')
  t.match(bad.out, 'checkpoint 1 does not match: events after position 0 through 3 were altered:')
  t.match(bad.out, events[1].id)

  const other = await tempDir(t)
  await writeFile(join(other, 'k.pem'), (await import('node:crypto')).generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }))
  const wrongKey = await cli([...base, '--public-key', join(other, 'k.pem')])
  t.equal(wrongKey.code, 1)
  t.match(wrongKey.out, /checkpoint 1: unknown-key/)
  const missing = await cli(['audit', 'verify', '--export', files.export])
  t.equal(missing.code, 2)
  t.match(missing.err, 'missing --checkpoints, --public-key')
  const unreadable = await cli([...base.slice(0, 4), '--checkpoints', files.export, '--public-key', files.keys])
  t.equal(unreadable.code, 1)
  t.match(unreadable.err, 'are not checkpoints')
})
