import t from 'tap'
import { createHash, createHmac } from 'node:crypto'
import { canonicalJson, chain, eventHash, GENESIS_HASH } from '../../src/audit/canonical.js'
import { AuditKeyring, prepare } from '../../src/audit/prepare.js'
import { traceHops } from '../../src/audit/hops.js'

const keys = new AuditKeyring('unit-test-audit-key-0123456789')

t.test('canonical JSON sorts keys at every level and drops undefined', async (t) => {
  t.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'é' }, u: undefined }), '{"a":{"c":"é","d":[1,{"x":1,"y":2}]},"b":1}')
  t.equal(canonicalJson(null), 'null')
  t.equal(canonicalJson(undefined), 'null')
})

t.test('the chain hash is sha256(prev + "\\n" + canonical fields), so any change of a field changes it', async (t) => {
  const [a, b] = chain([prepare({ kind: 'lookup', outcome: 'ok', clientId: 'x' }, keys), prepare({ kind: 'auth.failed', outcome: 'denied' }, keys)], 0n, GENESIS_HASH)
  t.equal(a.seq, '1')
  t.equal(b.seq, '2')
  t.equal(a.prevHash, GENESIS_HASH)
  t.equal(b.prevHash, a.hash)
  t.equal(eventHash(a), a.hash)
  const fields = ['lienthong-audit/1', a.seq, a.id, a.at.toISOString(), a.kind, a.outcome, null, null, null, 'x', null, null, null, null, null,
    null, null, null, null, null, null, null, null, null, [], null]
  t.equal(a.hash, createHash('sha256').update(`${GENESIS_HASH}\n${JSON.stringify(fields)}`).digest('hex'), 'the documented definition')
  for (const change of [{ outcome: 'error' as const }, { clientId: 'y' }, { at: new Date(0) }, { seq: '3' }, { subjects: ['ab'] }, { details: { n: 1 }, detailsJson: undefined }]) {
    t.not(eventHash({ ...a, ...change }), a.hash, JSON.stringify(change))
  }
})

t.test('prepare keys subjects and body hashes, scrubs identifiers from free text, never keeps them in clear', async (t) => {
  const e = prepare({
    kind: 'lookup',
    outcome: 'ok',
    subjects: ['079203001234', ' 079203001234 ', 'hs4010120878811', ''],
    purpose: 'thủ tục 1.000894 cho 079203001234',
    caseId: '000.00.01.H29-250101-0001',
    endUser: 'cán bộ MST 0100109106-001',
    requestId: 'HS4010120878811',
    requestHash: 'AB'.repeat(32),
    durationMs: 12.34567,
    httpStatus: 200.2,
    details: { note: 'BHXH 7910123456', deliveryId: '0f1e2d3c-4b5a-4678-9123-412345678901', nested: [{ pid: '001090012345' }], bad: Number.NaN, when: new Date(0) }
  }, keys)
  t.same(e.subjects, [keys.subject('079203001234'), keys.subject('HS4010120878811')].sort(), 'normalised, deduplicated, keyed')
  t.equal(keys.subject('hs4010120878811'), keys.subject('HS4010120878811'))
  t.not(keys.subject('079203001234'), new AuditKeyring('another-key-0123456789').subject('079203001234'), 'keyed')
  t.equal(e.caseId, '000.00.01.H29-250101-0001', 'dossier codes are kept')
  t.match(e.purpose, /^thủ tục 1\.000894 cho \[subject:[0-9a-f]{16}\]$/)
  t.match(e.endUser, /^cán bộ MST \[subject:[0-9a-f]{16}\]$/)
  t.match(e.requestId, /^\[subject:/)
  t.equal(e.requestHash, keys.body('ab'.repeat(32)))
  t.equal(e.durationMs, 12.346)
  t.equal(e.httpStatus, 200)
  t.equal((e.details as { deliveryId: string }).deliveryId, '0f1e2d3c-4b5a-4678-9123-412345678901', 'UUIDs are not identifiers')
  t.same((e.details as { bad: unknown, when: unknown }).bad, null)
  t.equal((e.details as { when: unknown }).when, '1970-01-01T00:00:00.000Z')
  const text = JSON.stringify(e)
  for (const id of ['079203001234', '4010120878811', '0100109106', '7910123456', '001090012345']) t.notOk(text.includes(id), id)
  t.throws(() => new AuditKeyring('short'))
  const odd = prepare({ kind: 'admin.change', outcome: 'ok', purpose: 'a\u0000b\ud800c', httpStatus: 1e12, at: new Date(-8.64e15) }, keys)
  t.equal(odd.purpose, 'ab\ufffdc', 'no NUL, no lone surrogate: PostgreSQL can store it')
  t.equal(odd.httpStatus, null, 'out of the integer range')
  t.ok(odd.at.getUTCFullYear() >= 2024, 'an impossible time becomes now')
})

t.test('identifiers in free text are scrubbed whatever surrounds them and however they are spaced (issue 22 #8)', async (t) => {
  const tag = `[subject:${keys.subject('075059793055').slice(0, 16)}]`
  for (const [text, want] of [
    ['Xac minh CCCD075059793055', `Xac minh CCCD${tag}`],
    ['075 059 793 055', tag],
    ['075-059-793-055', tag],
    ['075\u2013059\u2013793\u2013055', tag],
    ['075059793055a', `${tag}a`],
    ['id:075059793055;', `id:${tag};`],
    ['so 0912 345 678 goi lai', `so [subject:${keys.subject('0912345678').slice(0, 16)}] goi lai`]
  ]) {
    const e = prepare({ kind: 'lookup', outcome: 'ok', purpose: text, endUser: text }, keys)
    t.equal(e.purpose, want, text)
    t.equal(e.endUser, want, text)
  }
  for (const kept of ['1.000894', '1.000894.000.00.00.H29', '000.00.01.H22-250715-0001', '0f1e2d3c-4b5a-4678-9123-412345678901', 'ngay 2025-07-15', 'cán bộ 12345678']) {
    t.equal(prepare({ kind: 'lookup', outcome: 'ok', purpose: kept }, keys).purpose, kept, `${kept} is not an identifier`)
  }
  const glued = prepare({ kind: 'lookup', outcome: 'ok', caseId: '000.00.01.H22-250715-0001075059793055' }, keys).caseId ?? ''
  t.notOk(/\d{9}/.test(glued.replace(/\[subject:[0-9a-f]+\]/g, '')), `a PIN glued to a dossier code: ${glued}`)
})

t.test('the keyed hashes are HMAC-SHA256 with sha256(AUDIT_KEY), whatever the length or the characters', async (t) => {
  const key = createHash('sha256').update('unit-test-audit-key-0123456789').digest()
  const hmac = (text: string | Buffer): string => createHmac('sha256', key).update(text).digest('hex')
  t.equal(keys.subject(' 0792 0300 1234 '), hmac('subject\u0000079203001234'), 'subject: normalised, then keyed')
  t.equal(keys.subject('hs4010120878811'), hmac('subject\u0000HS4010120878811'))
  t.equal(keys.body('AB'.repeat(32)), hmac('body-sha256\u0000' + 'ab'.repeat(32)))
  for (const body of ['', '{"personalId":"079203001234"}', 'Nguyễn Văn Ấn 🇻🇳 \ud800 lone', 'é'.repeat(5461), 'é'.repeat(5462), 'x'.repeat(100_000)]) {
    t.equal(keys.rawBody(body), hmac('body\u0000' + body), `string body of ${body.length} UTF-16 units`)
    t.equal(keys.rawBody(Buffer.from(body)), hmac(Buffer.concat([Buffer.from('body\u0000'), Buffer.from(body)])), `Buffer body of ${body.length}`)
  }
  t.equal(keys.rawBody('a'), hmac('body\u0000a'), 'a short value after a long one: nothing of the earlier one left over')
})

t.test('details: keys sorted and scrubbed at every level, whatever order they come in', async (t) => {
  const e = prepare({
    kind: 'admin.change',
    outcome: 'ok',
    details: { b: 1, a: [{ z: true, y: 'ok 079203001234' }], '079203001234': 'key scrubbed', c: { u: undefined, f: () => 1, n: Number.POSITIVE_INFINITY }, 'a\u0000b': 'x' }
  }, keys)
  const json = e.detailsJson as string
  t.equal(json, JSON.stringify(e.details))
  t.notOk(json.includes('079203001234'))
  t.same(Object.keys(e.details as object), [...Object.keys(e.details as object)].sort(), 'sorted')
  t.match(json, /^\{"\[subject:[0-9a-f]{16}\]":"key scrubbed","a":\[\{"y":"ok \[subject:[0-9a-f]{16}\]","z":true\}\],"ab":"x","b":1,"c":\{"n":null\}\}$/)
})

t.test('trace hops: listed hops expand, other events are one hop each, all in time order', async (t) => {
  const at = new Date('2025-07-15T01:00:00.000Z')
  const [accepted, attempted, delivered] = chain([
    { ...prepare({ kind: 'delivery.accepted', outcome: 'ok', at, httpStatus: 202 }, keys) },
    { ...prepare({ kind: 'delivery.attempted', outcome: 'ok', at: new Date(at.getTime() + 50), durationMs: 20, details: { attempt: 1 } }, keys) },
    { ...prepare({ kind: 'delivery.delivered', outcome: 'ok', at: new Date(at.getTime() + 51) }, keys) }
  ], 0n, GENESIS_HASH)
  const trace = traceHops([delivered, accepted, attempted])
  t.same(trace.hops.map((h) => h.hop), ['queued', 'connector.attempt', 'delivered'])
  t.same(trace.hops.map((h) => h.sinceStartMs), [0, 30, 51])
  t.equal(trace.hops[1].n, 1)
  t.equal(trace.durationMs, 51)
  t.same(traceHops([]), { startedAt: null, durationMs: 0, hops: [] })
})
