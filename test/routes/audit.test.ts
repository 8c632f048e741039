import t from 'tap'
import { sampleIds, unknownIds } from '../../src/simulators/index.js'
import { tokenFor } from '../helper.js'
import { auditRows, auditTableText, get, lookup, sampleIdentifiers, setup } from '../audit/helper.js'

t.test('every lookup is one audit event with the right fields, whatever its outcome', async (t) => {
  const { app, system } = await setup(t)
  const pid = sampleIds()['citizen.lookup'][0].personalId
  const narrow = await tokenFor(app, ['system'], ['tax.taxpayer.lookup'])
  const auditorAsSystem = await tokenFor(app, ['auditor'], ['citizen.lookup'])
  const cases: Array<{ rid: string, token: string, service: string, body: unknown, headers?: Record<string, string>, status: number, outcome: string, code?: string }> = [
    { rid: 'ok-1', token: system, service: 'citizen.lookup', body: { personalId: pid }, headers: { 'x-case-id': '000.00.01.H29-250101-0001', 'x-end-user': 'officer-7' }, status: 200, outcome: 'ok' },
    { rid: 'nf-1', token: system, service: 'citizen.lookup', body: unknownIds()['citizen.lookup'][0], status: 404, outcome: 'not_found', code: 'NOT_FOUND' },
    { rid: 'inv-1', token: system, service: 'citizen.lookup', body: { personalId: '07920300123' }, status: 400, outcome: 'invalid', code: 'VALIDATION_FAILED' },
    { rid: 'nopurpose-1', token: system, service: 'citizen.lookup', body: { personalId: pid }, headers: { 'x-purpose': '' }, status: 400, outcome: 'invalid', code: 'PURPOSE_REQUIRED' },
    { rid: 'grant-1', token: narrow, service: 'citizen.lookup', body: { personalId: pid }, status: 403, outcome: 'denied', code: 'FORBIDDEN' },
    { rid: 'role-1', token: auditorAsSystem, service: 'citizen.lookup', body: { personalId: pid }, status: 403, outcome: 'denied', code: 'FORBIDDEN' },
    { rid: 'svc-1', token: system, service: 'weather.lookup', body: {}, status: 404, outcome: 'invalid', code: 'SERVICE_NOT_FOUND' }
  ]
  for (const c of cases) {
    const res = await lookup(app, c.token, c.service, c.body, { 'x-request-id': c.rid, ...c.headers })
    t.equal(res.statusCode, c.status, `${c.rid}: ${res.body.slice(0, 120)}`)
  }
  const bad = await app.inject({ method: 'POST', url: '/v1/lookups/citizen.lookup', headers: { authorization: 'Bearer nope', 'x-purpose': 'x', 'x-request-id': 'auth-1' }, payload: { personalId: pid } })
  t.equal(bad.statusCode, 401)

  const rows = await auditRows(app)
  for (const c of cases) {
    const mine = rows.filter((r) => r.request_id === c.rid)
    t.equal(mine.length, 1, `${c.rid} recorded exactly once`)
    t.match(mine[0], { kind: 'lookup', outcome: c.outcome, http_status: c.status, service: c.service }, c.rid)
    if (c.code !== undefined) t.equal(mine[0].error_code, c.code, `${c.rid} error code`)
  }
  const ok = rows.find((r) => r.request_id === 'ok-1') as Record<string, unknown>
  t.match(ok, {
    connector: 'population',
    purpose: '1.000894',
    case_id: '000.00.01.H29-250101-0001',
    end_user: 'officer-7',
    upstream_status: 200,
    trace_id: /^[0-9a-f]{32}$/,
    span_id: /^[0-9a-f]{16}$/,
    request_hash: /^[0-9a-f]{64}$/,
    response_hash: /^[0-9a-f]{64}$/,
    error_code: null
  })
  t.ok((ok.client_id as string).startsWith('client-'))
  t.ok((ok.duration_ms as number) > 0 && (ok.upstream_duration_ms as number) > 0 && (ok.duration_ms as number) >= (ok.upstream_duration_ms as number))
  t.ok((ok.request_bytes as number) > 0 && (ok.response_bytes as number) > 0)
  t.same(ok.subjects, [app.auditTrail.keys.subject(pid)], 'the subject is a keyed hash')
  t.same(rows.find((r) => r.request_id === 'inv-1')?.subjects, [app.auditTrail.keys.subject('07920300123')], 'invalid identifiers are hashed too')
  t.match(rows.find((r) => r.request_id === 'nf-1'), { upstream_status: 404, connector: 'population' })
  const auth = rows.filter((r) => r.request_id === 'auth-1')
  t.equal(auth.length, 1, 'a refused token is one auth.failed event and no lookup event')
  t.match(auth[0], { kind: 'auth.failed', outcome: 'denied', http_status: 401, details: { reason: 'invalid_token' } })
  const badCreds = await app.inject({ method: 'POST', url: '/v1/auth/token', headers: { 'x-request-id': 'auth-2' }, payload: { grant_type: 'client_credentials', client_id: 'nobody-here', client_secret: 'wrong-secret' } })
  t.equal(badCreds.statusCode, 401)
  t.match((await auditRows(app)).filter((r) => r.request_id === 'auth-2'), [{ kind: 'auth.failed', details: { reason: 'bad_credentials', claimedClientId: 'nobody-here' } }])
})

t.test('only auditors read the trail, with filters, subject search and stable cursor pages', async (t) => {
  const { app, system, auditor } = await setup(t)
  const pids = sampleIds()['citizen.lookup'].map((b) => b.personalId)
  for (const pid of pids) t.equal((await lookup(app, system, 'citizen.lookup', { personalId: pid }, { 'x-case-id': `case-${pid.slice(-2)}` })).statusCode, 200)
  t.equal((await lookup(app, system, 'tax.taxpayer.lookup', sampleIds()['tax.taxpayer.lookup'][0])).statusCode, 200)
  await app.auditTrail.writer.flush()

  t.equal((await get(app, system, '/v1/audit/events')).statusCode, 403, 'system clients cannot read the trail')
  const admin = await tokenFor(app, ['admin'])
  t.equal((await get(app, admin, '/v1/audit/events')).statusCode, 403, 'admins cannot read it either')
  const del = await app.inject({ method: 'DELETE', url: '/v1/audit/events', headers: { authorization: `Bearer ${auditor}` } })
  t.equal(del.statusCode, 405, 'no route changes the trail')
  t.equal(del.headers.allow, 'GET, HEAD')

  const all = (await get(app, auditor, '/v1/audit/events?kind=lookup')).json()
  t.equal(all.items.length, pids.length + 1)
  t.ok(all.items.every((e: { seq: string }, i: number, a: Array<{ seq: string }>) => i === 0 || BigInt(a[i - 1].seq) > BigInt(e.seq)), 'newest first')
  const bySubject = (await get(app, auditor, `/v1/audit/events?subject=${pids[1]}`)).json()
  t.equal(bySubject.items.length, 1)
  t.equal(bySubject.items[0].caseId, `case-${pids[1].slice(-2)}`)
  t.equal((await get(app, auditor, '/v1/audit/events?service=tax.taxpayer.lookup')).json().items.length, 1)
  t.equal((await get(app, auditor, `/v1/audit/events?caseId=case-${pids[0].slice(-2)}&outcome=ok`)).json().items.length, 1)
  const first = all.items[0]
  t.equal((await get(app, auditor, `/v1/audit/events?traceId=${first.traceId as string}`)).json().items[0].id, first.id)
  t.equal((await get(app, auditor, `/v1/audit/events?clientId=${first.clientId as string}&kind=lookup`)).json().items.length, pids.length + 1)
  t.equal((await get(app, auditor, '/v1/audit/events?from=2999-01-01T00:00:00Z')).json().items.length, 0)
  t.equal((await get(app, auditor, '/v1/audit/events?from=yesterday')).statusCode, 400)
  t.equal((await get(app, auditor, '/v1/audit/events?limit=0')).statusCode, 400)

  // Pages of 2; lookups made between two pages must not shift or repeat anything.
  const seen: string[] = []
  let cursor: string | null = null
  let round = 0
  do {
    const page: { items: Array<{ id: string }>, nextCursor: string | null } = (await get(app, auditor, `/v1/audit/events?kind=lookup&limit=2${cursor !== null ? `&cursor=${cursor}` : ''}`)).json()
    seen.push(...page.items.map((e) => e.id))
    cursor = page.nextCursor
    if (round++ === 0) {
      await lookup(app, system, 'citizen.lookup', { personalId: pids[0] })
      await app.auditTrail.writer.flush()
    }
  } while (cursor !== null)
  t.same(seen, all.items.map((e: { id: string }) => e.id), 'the pages hold exactly the events that existed at the first page')
  t.equal((await get(app, auditor, '/v1/audit/events?cursor=garbage')).statusCode, 400)
})

t.test('a trace lists the hops of a lookup in order, with timings', async (t) => {
  const { app, system, auditor } = await setup(t)
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
  const res = await lookup(app, system, 'citizen.lookup', sampleIds()['citizen.lookup'][0], { traceparent: `00-${traceId}-00f067aa0ba902b7-01` })
  t.equal(res.statusCode, 200)
  await app.auditTrail.writer.flush()
  const trace = (await get(app, auditor, `/v1/audit/traces/${traceId}`)).json()
  t.equal(trace.traceId, traceId)
  t.same(trace.hops.map((h: { hop: string }) => h.hop), ['received', 'validated', 'connector.attempt', 'responded'])
  t.match(trace.hops[2], { connector: 'population', n: 1, outcome: 'ok', durationMs: Number })
  const times = trace.hops.map((h: { sinceStartMs: number }) => h.sinceStartMs)
  t.same(times, [...times].sort((a: number, b: number) => a - b), 'in time order')
  t.ok(trace.durationMs > 0)
  t.equal((await get(app, auditor, `/v1/audit/traces/${'f'.repeat(32)}`)).statusCode, 404)
})

t.test('verify, export, and nothing in clear in the table or the logs', async (t) => {
  const { app, system, auditor, logs } = await setup(t)
  const s = sampleIds()
  for (const service of ['citizen.lookup', 'tax.taxpayer.lookup', 'insurance.coverage.lookup'] as const) {
    for (const body of s[service]) await lookup(app, system, service, body, { 'x-end-user': `officer ${Object.values(body)[0]}`, 'x-case-id': `HS-${Object.values(body)[0]}` })
  }
  for (const body of s['land.parcel.lookup'].slice(0, 2)) await lookup(app, system, 'land.parcel.lookup', body)
  await lookup(app, system, 'citizen.lookup', { personalId: s['citizen.lookup'][0].personalId, extra: 1 })
  await app.auditTrail.writer.flush()
  const verified = (await get(app, auditor, '/v1/audit/verify')).json()
  t.match(verified, { ok: true, checked: Number })
  t.equal(verified.checked, (await auditRows(app)).length, 'every event checked')
  t.equal(verified.firstBadEventId, undefined)
  t.match((await get(app, auditor, `/v1/audit/verify?from=${new Date(Date.now() - 3600_000).toISOString()}`)).json(), { ok: true, checked: verified.checked })

  const exported = await get(app, auditor, '/v1/audit/export?kind=lookup')
  t.equal(exported.statusCode, 200)
  t.match(exported.headers['content-type'], /application\/x-ndjson/)
  const lines = exported.body.trim().split('\n').map((l) => JSON.parse(l))
  t.equal(lines.length, (await auditRows(app)).filter((r) => r.kind === 'lookup').length)
  t.ok(lines.every((e, i) => i === 0 || BigInt(lines[i - 1].seq) < BigInt(e.seq)), 'chain order')

  await get(app, auditor, `/v1/audit/events?subject=${s['citizen.lookup'][2].personalId}`)
  const table = await auditTableText(app)
  const log = logs.text()
  t.ok(log.length > 1000, 'logs were captured')
  for (const id of sampleIdentifiers()) {
    t.notOk(table.includes(id), `${id.slice(0, 3)}… not in the audit table`)
    t.notOk(log.includes(id), `${id.slice(0, 3)}… not in the logs`)
  }
})

t.test('/metrics: lookups per service and connector, circuit state, audit buffer', async (t) => {
  const { app, system } = await setup(t)
  await lookup(app, system, 'citizen.lookup', sampleIds()['citizen.lookup'][0])
  await lookup(app, system, 'tax.taxpayer.lookup', sampleIds()['tax.taxpayer.lookup'][0])
  const res = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/plain/)
  t.match(res.body, /lienthong_lookup_duration_seconds_count\{[^}]*service="citizen.lookup"[^}]*connector="population"[^}]*\} 1/)
  t.match(res.body, /lienthong_lookup_duration_seconds_bucket\{[^}]*service="tax.taxpayer.lookup"/)
  t.match(res.body, /lienthong_connector_attempt_duration_seconds_count\{[^}]*connector="tax"/)
  t.match(res.body, /lienthong_connector_circuit_state\{connector="population"\} 0/)
  t.match(res.body, /lienthong_audit_buffer_depth \d+/)
  t.match(res.body, /lienthong_http_duration_seconds_count\{[^}]*route="\/v1\/auth\/token"[^}]*\} \d/)
})
