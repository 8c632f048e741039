import t from 'tap'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fetchTimestamp } from '../../src/audit/tsa/client.js'
import { newTsaIdentity, type IdentityOptions } from '../../src/dev/tsa-cert.js'
import { startDevTsa, type DevTsa } from '../../src/dev/tsa.js'
import type { TestLike } from '../helper.js'
import { get, tamper } from './helper.js'
import { eventsThenCheckpoint, gatewayWithCheckpoints, tempDir } from './checkpoint-helper.js'

async function tsa (t: TestLike, opts: IdentityOptions = {}, clock?: () => Date): Promise<DevTsa> {
  const running = await startDevTsa({ identity: await newTsaIdentity(opts), clock })
  t.teardown(running.close)
  return running
}

/** A gateway time-stamping with `trusted[0]`, trusting the certificates of every TSA in `trusted`. */
async function stampedGateway (t: TestLike, trusted: DevTsa[]): ReturnType<typeof gatewayWithCheckpoints> {
  const certFile = join(await tempDir(t), 'tsa.pem')
  await writeFile(certFile, trusted.map((x) => x.certPem).join(''))
  return await gatewayWithCheckpoints(t, { AUDIT_TSA_URL: trusted[0].url, AUDIT_TSA_CERT_FILE: certFile })
}

t.test('every checkpoint carries a time-stamp token of the configured TSA, verified on read', async (t) => {
  const good = await tsa(t)
  const { app, auditor } = await stampedGateway(t, [good])
  const cp = await eventsThenCheckpoint(app, 2)
  t.type(cp?.timestamp, 'string')
  await eventsThenCheckpoint(app, 1)
  t.match((await get(app, auditor, '/v1/audit/verify')).json(), { ok: true, checkpoints: { valid: 2, timestamped: 2, untimestamped: 0, problems: [] } })
  t.match(app.auditTrail.checkpoints.checkpointer.stats, { made: 2, timestamped: 2 })
})

t.test('a foreign, an expired, a misplaced or a late time-stamp token is refused', async (t) => {
  const good = await tsa(t)
  const expired = await tsa(t, { name: 'expired TSA', notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) })
  const foreign = await tsa(t, { name: 'foreign TSA' })
  const late = await tsa(t, {}, () => new Date(Date.now() + 3600_000))
  // The gateway trusts the good TSA, the expired one (its certificate, once valid) and the late one; not the foreign.
  const { app, auditor } = await stampedGateway(t, [good, expired, late])
  const first = await eventsThenCheckpoint(app, 2)
  const second = await eventsThenCheckpoint(app, 1)
  if (first === undefined || second === undefined) throw new Error('no checkpoint')
  t.match((await get(app, auditor, '/v1/audit/verify')).json(), { ok: true, checkpoints: { timestamped: 2 } })

  const cases: Array<[string, string, RegExp]> = [
    ['foreign', (await fetchTimestamp(foreign.url, second.digest, 2000)).toString('base64'), /not from a trusted time-stamping authority/],
    ['expired', (await fetchTimestamp(expired.url, second.digest, 2000)).toString('base64'), /not valid at the time of the token/],
    ['of another checkpoint', first.timestamp ?? '', /another imprint/],
    ['late', (await fetchTimestamp(late.url, second.digest, 2000)).toString('base64'), /far from the checkpoint/],
    ['garbage', Buffer.from('not a token').toString('base64'), /unreadable token/]
  ]
  for (const [what, token, detail] of cases) {
    await tamper(app, 'UPDATE audit_checkpoints SET timestamp = $1 WHERE n = 2', [Buffer.from(token, 'base64')])
    const res = (await get(app, auditor, '/v1/audit/verify')).json()
    t.match(res, { ok: false, checkpoints: { valid: 1, problems: [{ n: '2', reason: 'timestamp', detail }] } }, what)
  }
})

t.test('a TSA that does not answer: the checkpoint is made without a token, and counted', async (t) => {
  const certFile = join(await tempDir(t), 'tsa.pem')
  const down = await tsa(t)
  await writeFile(certFile, down.certPem)
  await down.close()
  const { app, auditor } = await gatewayWithCheckpoints(t, { AUDIT_TSA_URL: down.url, AUDIT_TSA_CERT_FILE: certFile, AUDIT_TSA_TIMEOUT_MS: '500' })
  t.match(await eventsThenCheckpoint(app, 1), { n: '1', timestamp: null })
  t.match((await get(app, auditor, '/v1/audit/verify')).json(), { ok: true, checkpoints: { valid: 1, timestamped: 0, untimestamped: 1 } })
})
