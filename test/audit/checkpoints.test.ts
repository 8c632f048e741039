import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { signCheckpoint } from '../../src/audit/checkpoint.js'
import { keyId } from '../../src/audit/signing-keys.js'
import { verifyChain } from '../../src/audit/verify.js'
import { build, testConfig, tokenFor } from '../helper.js'
import { get, tamper } from './helper.js'
import { checkpointEnv, eventsThenCheckpoint, gatewayWithCheckpoints, rewriteEvent, tempDir } from './checkpoint-helper.js'

t.test('an event rewritten by a superuser who recomputes the chain is reported against the signed checkpoints', async (t) => {
  const { app, auditor } = await gatewayWithCheckpoints(t)
  t.match(await eventsThenCheckpoint(app, 3), { n: '1', seq: '3' })
  t.match(await eventsThenCheckpoint(app, 3), { n: '2', seq: '6' })
  for (let i = 0; i < 2; i++) app.audit.emit({ kind: 'lookup', outcome: 'ok', clientId: 'c-late' })
  await app.auditTrail.writer.flush()

  const clean = (await get(app, auditor, '/v1/audit/verify')).json()
  t.match(clean, { ok: true, checked: 8, checkpoints: { checked: 2, valid: 2, problems: [] } })
  t.same(clean.coverage, { coveredThroughSeq: '6', coveredEvents: 6, newerEvents: 2, firstNewerSeq: '7' }, 'which events a checkpoint covers, which are newer')

  const victim = await rewriteEvent(app, 5, 'someone-else')
  t.match(await verifyChain(app.db), { ok: true }, 'the chain alone is fooled: every hash was recomputed')
  const res = (await get(app, auditor, '/v1/audit/verify')).json()
  t.match(res, { ok: false, reason: 'checkpoint', altered: { checkpoint: '2', afterSeq: '3', throughSeq: '6' } })
  t.ok(res.altered.eventIds.includes(victim), 'the rewritten event is named')
  t.equal(res.altered.eventIds.length, 3, 'only the events since the last checkpoint that still matches')
  t.same(res.coverage, { coveredThroughSeq: '3', coveredEvents: 3, newerEvents: 0, firstNewerSeq: null })
})

t.test('checkpoints deleted from the database and events rewritten after the one left: found with the witness file', async (t) => {
  const { app, auditor, dir } = await gatewayWithCheckpoints(t)
  await eventsThenCheckpoint(app, 3)
  await eventsThenCheckpoint(app, 3)
  await eventsThenCheckpoint(app, 2)
  // The auditor's own copy, polled before the attack.
  const copy = (await get(app, auditor, '/v1/audit/checkpoints?after=0')).json()
  t.equal(copy.items.length, 3)
  t.equal(copy.nextCursor, null)

  await tamper(app, 'DELETE FROM audit_checkpoints WHERE n >= 2')
  const victim = await rewriteEvent(app, 5, 'someone-else')

  const dbOnly = (await get(app, auditor, '/v1/audit/verify')).json()
  t.match(dbOnly, { ok: true, coverage: { coveredThroughSeq: '3', newerEvents: 5 } }, 'the database alone cannot tell: the rewritten events look merely uncovered')

  const files = await readdir(join(dir, 'witness'))
  t.equal(files.length, 1, 'one witness file for this instance')
  t.equal((await readFile(join(dir, 'witness', files[0]), 'utf8')).trim().split('\n').length, 3, 'every checkpoint was witnessed')
  const local = (await get(app, auditor, '/v1/audit/verify?witness=local')).json()
  t.match(local, { ok: false, reason: 'checkpoint', witness: { checkpoints: 3, problems: [{ n: '2', reason: 'not-in-database' }, { n: '3', reason: 'not-in-database' }] } })
  t.ok(local.altered.eventIds.includes(victim), 'the rewritten event is named, against the witnessed checkpoint')

  const posted = await app.inject({
    method: 'POST',
    url: '/v1/audit/verify',
    headers: { authorization: `Bearer ${auditor}`, 'content-type': 'application/x-ndjson' },
    payload: copy.items.map((c: unknown) => JSON.stringify(c)).join('\n')
  })
  t.equal(posted.statusCode, 200)
  t.match(posted.json(), { ok: false, reason: 'checkpoint', witness: { source: 'posted', problems: [{ reason: 'not-in-database' }, { reason: 'not-in-database' }] } })

  t.equal(await app.auditTrail.checkpoints.checkpointer.tick(true), undefined, 'no new event: nothing to sign')
  await eventsThenCheckpoint(app, 1)
  const after = (await get(app, auditor, '/v1/audit/checkpoints')).json()
  t.same(after.items.map((c: { n: string }) => c.n), ['1', '4'], 'the chain goes on from what this instance witnessed: the gap stays visible')
  t.match((await get(app, auditor, '/v1/audit/verify')).json(), { ok: false, checkpoints: { problems: [{ n: '2', reason: 'missing' }] } })
})

t.test('a checkpoint forged with another key is refused; one changed after signing too', async (t) => {
  const { app, auditor } = await gatewayWithCheckpoints(t)
  const first = await eventsThenCheckpoint(app, 2)
  await eventsThenCheckpoint(app, 1)
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const head = (await app.db.query<{ last_seq: string, last_hash: string }>('SELECT last_seq, last_hash FROM audit_chain_head')).rows[0]
  const prev = (await app.db.query<{ digest: string }>('SELECT digest FROM audit_checkpoints WHERE n = 2')).rows[0].digest
  for (const kid of [first?.kid ?? '', keyId(publicKey)]) {
    const forged = signCheckpoint({ n: '3', seq: head.last_seq, hash: head.last_hash, at: new Date().toISOString(), prev, kid, instance: 'gw-1' }, privateKey)
    await tamper(app, 'DELETE FROM audit_checkpoints WHERE n = 3')
    await app.db.query('INSERT INTO audit_checkpoints (n, seq, hash, at, prev, kid, instance, digest, signature) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [forged.n, forged.seq, forged.hash, forged.at, forged.prev, forged.kid, forged.instance, forged.digest, forged.signature])
    const res = (await get(app, auditor, '/v1/audit/verify')).json()
    t.match(res, { ok: false, checkpoints: { valid: 2, problems: [{ n: '3', reason: kid === first?.kid ? 'signature' : 'unknown-key' }] } }, `kid ${kid === first?.kid ? 'of the gateway' : 'of the forger'}`)
  }
  await tamper(app, 'UPDATE audit_checkpoints SET seq = 1 WHERE n = 2')
  t.match((await get(app, auditor, '/v1/audit/verify')).json(), { ok: false, checkpoints: { problems: [{ n: '2', reason: 'signature' }] } })
})

t.test('after a key rotation the checkpoints of the old key still verify; both keys are published with their validity', async (t) => {
  const dir = await tempDir(t)
  const config = await testConfig(t, await checkpointEnv(dir, 'key-a.pem'))
  const first = await build(t, { config })
  const a = await eventsThenCheckpoint(first, 2)
  await first.close()
  const rotated = await build(t, { config: await testConfig(t, { ...await checkpointEnv(dir, 'key-b.pem'), DATABASE_URL: config.databaseUrl ?? '' }) })
  const b = await eventsThenCheckpoint(rotated, 2)
  t.not(a?.kid, b?.kid, 'signed with the new key')
  const auditor = await tokenFor(rotated, ['auditor'])
  const keys = (await get(rotated, auditor, '/v1/audit/keys')).json()
  t.equal(keys.items.length, 2)
  t.match(keys.items[0], { kid: a?.kid, alg: 'Ed25519', publicKey: /BEGIN PUBLIC KEY/, notBefore: String, notAfter: String })
  t.match(keys.items[1], { kid: b?.kid, notAfter: null })
  t.match((await get(rotated, auditor, '/v1/audit/verify')).json(), { ok: true, checkpoints: { checked: 2, valid: 2, problems: [] } })
})

t.test('two instances on one database: one checkpoints at a time, the chain of checkpoints stays whole, each witnesses all', async (t) => {
  const dir = await tempDir(t)
  const config = await testConfig(t, await checkpointEnv(dir, 'key.pem', 'gw-1'))
  const one = await build(t, { config })
  const two = await build(t, { config: { ...config, audit: { ...config.audit, checkpoints: { ...config.audit.checkpoints, instance: 'gw-2' } } } })
  for (let round = 0; round < 8; round++) {
    one.audit.emit({ kind: 'lookup', outcome: 'ok', clientId: 'one' })
    two.audit.emit({ kind: 'lookup', outcome: 'ok', clientId: 'two' })
    await Promise.all([one.auditTrail.writer.flush(), two.auditTrail.writer.flush()])
    await Promise.all([one.auditTrail.checkpoints.checkpointer.tick(true), two.auditTrail.checkpoints.checkpointer.tick(true)])
  }
  await one.auditTrail.checkpoints.checkpointer.tick(true)
  await two.auditTrail.checkpoints.checkpointer.tick(true)
  const rows = (await one.db.query<{ n: string, instance: string }>('SELECT n, instance FROM audit_checkpoints ORDER BY n')).rows
  t.same(rows.map((r) => Number(r.n)), rows.map((_, i) => i + 1), 'numbers without gaps')
  t.ok(rows.length >= 8, `${rows.length} checkpoints`)
  const auditor = await tokenFor(one, ['auditor'])
  t.match((await get(one, auditor, '/v1/audit/verify?witness=local')).json(), { ok: true, checked: 16, checkpoints: { valid: rows.length, problems: [] }, witness: { problems: [] } })
  const witnessed = async (instance: string): Promise<number> => {
    const files = (await readdir(join(dir, 'witness'))).filter((f) => f.includes(`-${instance}-`))
    return (await Promise.all(files.map(async (f) => (await readFile(join(dir, 'witness', f), 'utf8')).trim().split('\n').length))).reduce((x, y) => x + y, 0)
  }
  t.equal(await witnessed('gw-1'), rows.length, 'gw-1 witnessed every checkpoint, its own and gw-2\'s')
  t.equal(await witnessed('gw-2'), rows.length, 'gw-2 too')
})

t.test('checkpoints: paginated in an envelope, cursor and after; auditor only; bad input is a 400', async (t) => {
  const { app, auditor } = await gatewayWithCheckpoints(t)
  for (let i = 0; i < 5; i++) await eventsThenCheckpoint(app, 1)
  const page = (await get(app, auditor, '/v1/audit/checkpoints?limit=2')).json()
  t.same(page.items.map((c: { n: string }) => c.n), ['1', '2'])
  t.type(page.nextCursor, 'string')
  const next = (await get(app, auditor, `/v1/audit/checkpoints?limit=2&cursor=${page.nextCursor as string}`)).json()
  t.same(next.items.map((c: { n: string }) => c.n), ['3', '4'])
  t.same((await get(app, auditor, '/v1/audit/checkpoints?after=4')).json().items.map((c: { n: string }) => c.n), ['5'])
  t.match(page.items[0], { seq: '1', hash: /^[0-9a-f]{64}$/, prev: '0'.repeat(64), digest: /^[0-9a-f]{64}$/, signature: String, timestamp: null, instance: 'gw-1' })
  for (const q of ['after=-1', 'limit=0', 'cursor=garbage', 'witness=remote']) {
    const res = await get(app, auditor, `/v1/audit/${q.startsWith('witness') ? 'verify' : 'checkpoints'}?${q}`)
    t.equal(res.statusCode, 400, q)
    t.match(res.headers['content-type'], /problem\+json/)
  }
  const system = await tokenFor(app, ['system'])
  t.equal((await get(app, system, '/v1/audit/checkpoints')).statusCode, 403)
  t.equal((await get(app, system, '/v1/audit/keys')).statusCode, 403)
})

t.test('a checkpoint is made at shutdown, of the last events written', async (t) => {
  const dir = await tempDir(t)
  const config = await testConfig(t, await checkpointEnv(dir))
  const app = await build(t, { config })
  app.audit.emit({ kind: 'lookup', outcome: 'ok' })
  await app.close()
  const again = await build(t, { config })
  t.match((await again.db.query('SELECT n, seq FROM audit_checkpoints')).rows, [{ n: '1', seq: '1' }])
})
