import t from 'tap'
import { createDvcqgSimulator } from '../../src/simulators/index.js'
import { build, tokenFor } from '../helper.js'
import { FAST_ENV, AGENCIES, GRANTS, dossier, dossierCode, portalInstance, post, statusCounts, step, waitFor } from '../deliveries/helper.js'
import { auditRows, auditTableText, get } from './helper.js'
import { parseTraceparent } from '../../src/tracing/trace-context.js'
import { verifyChain } from '../../src/audit/verify.js'

t.test('a queued delivery keeps one trace from the request to the portal call, and each step is audited once', async (t) => {
  // The portal, recording the trace context of every integration call it receives.
  const portal = createDvcqgSimulator()
  const traceparents: string[] = []
  portal.app.addHook('onRequest', async (req) => {
    if (req.url.startsWith('/api/integration') && typeof req.headers.traceparent === 'string') traceparents.push(req.headers.traceparent)
  })
  await portal.listen(0)
  t.teardown(async () => { await portal.close() })
  const app = await build(t, { connectors: [portalInstance(portal.url as string)], env: { ...FAST_ENV, AUDIT_KEY: 'delivery-audit-key-0123456789' }, workers: true })
  const token = await tokenFor(app, ['system'], GRANTS, AGENCIES)
  const auditor = await tokenFor(app, ['auditor'])

  const traceId = '0af7651916cd43dd8448eb211c80319c'
  const res = await post(app, token, '/v1/dossiers', dossier(1), { traceparent: `00-${traceId}-b7ad6b7169203331-01`, 'x-request-id': 'dossier-1' })
  t.equal(res.statusCode, 202, res.body)
  const deliveryId = res.json().deliveryId as string
  const stepIds: string[] = []
  for (const s of [step(4), step(5)]) {
    const r = await post(app, token, `/v1/dossiers/${dossierCode(1)}/progress`, s)
    t.equal(r.statusCode, 202)
    stepIds.push(r.json().deliveryId)
  }
  await waitFor(async () => (await statusCounts(app)).delivered === 3, 20_000, 'three deliveries')
  await waitFor(async () => (await auditRows(app)).filter((r) => r.kind === 'delivery.delivered').length === 3, 20_000, 'their audit events')

  const rows = await auditRows(app)
  for (const id of [deliveryId, ...stepIds]) {
    const mine = rows.filter((r) => (r.details as { deliveryId?: string } | null)?.deliveryId === id)
    t.same(mine.map((r) => r.kind), ['delivery.accepted', 'delivery.attempted', 'delivery.delivered'], `delivery ${id.slice(0, 8)}: accepted, attempted, delivered — once each`)
    t.ok(mine.every((r) => r.case_id === dossierCode(1)))
  }
  const first = rows.filter((r) => (r.details as { deliveryId?: string } | null)?.deliveryId === deliveryId)
  t.ok(first.every((r) => r.trace_id === traceId), 'the worker\'s events carry the request\'s trace id')
  t.match(first[0], { request_id: 'dossier-1', http_status: 202, service: 'dossier.sync', request_hash: /^[0-9a-f]{64}$/ })
  t.match(first[1], { outcome: 'ok', connector: 'dvcqg-test', duration_ms: Number })

  // An auditor filtering by the province's client finds every step of its deliveries, the worker's included.
  const clientId = (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sub: string }).sub
  t.ok(rows.filter((r) => String(r.kind).startsWith('delivery.')).every((r) => r.client_id === clientId), 'every delivery event names the submitting client')
  const listed = (await get(app, auditor, `/v1/audit/events?clientId=${clientId}&limit=100`)).json() as { items: Array<{ kind: string, details: { deliveryId?: string } }> }
  t.same(listed.items.filter((e) => e.details.deliveryId === deliveryId).map((e) => e.kind).reverse(), ['delivery.accepted', 'delivery.attempted', 'delivery.delivered'])

  const portalTraces = traceparents.map((tp) => parseTraceparent(tp)?.traceId)
  t.ok(portalTraces.includes(traceId), `the portal call carries the request's trace id (${portalTraces.length} integration calls)`)

  const trace = (await get(app, auditor, `/v1/audit/traces/${traceId}`)).json()
  const hops = trace.hops.map((h: { hop: string }) => h.hop)
  t.ok(hops.indexOf('queued') < hops.indexOf('connector.attempt') && hops.indexOf('connector.attempt') < hops.indexOf('delivered'), `hops in order: ${hops.join(' → ')}`)

  t.notOk((await auditTableText(app)).includes('001090012345'), 'the applicant\'s PIN is only a keyed hash')
  t.same(first[0].subjects, [app.auditTrail.keys.subject('001090012345')])
  t.match(await verifyChain(app.db), { ok: true })
})

t.test('refused dossier and progress calls are in the trail, as refused lookups are', async (t) => {
  const app = await build(t, { env: { ...FAST_ENV, AUDIT_KEY: 'delivery-audit-key-0123456789', WORKERS: 'false' } })
  const token = await tokenFor(app, ['system'], GRANTS, AGENCIES)
  const noGrant = await tokenFor(app, ['system'], ['citizen.lookup'], AGENCIES)
  const sub = (tok: string): string => (JSON.parse(Buffer.from(tok.split('.')[1], 'base64url').toString()) as { sub: string }).sub
  const calls: Array<[string, string, string, unknown, number]> = [
    ['invalid', token, '/v1/dossiers', dossier(1, { status: 11 }), 400],
    ['no grant', noGrant, '/v1/dossiers', dossier(2), 403],
    ['unknown dossier', token, `/v1/dossiers/${dossierCode(9)}/progress`, step(4), 404],
    ['accepted', token, '/v1/dossiers', dossier(1), 202],
    ['not a transition', token, `/v1/dossiers/${dossierCode(1)}/progress`, step(10), 409]
  ]
  for (const [what, tok, url, body, status] of calls) {
    t.equal((await post(app, tok, url, body, { 'x-request-id': what.replaceAll(' ', '-') })).statusCode, status, what)
  }
  const refused = (await auditRows(app)).filter((r) => r.kind === 'delivery.refused')
  t.same(refused.map((r) => [r.request_id, r.http_status, r.outcome, r.error_code, r.service, r.case_id]), [
    ['invalid', 400, 'invalid', 'VALIDATION_FAILED', 'dossier.sync', dossierCode(1)],
    ['no-grant', 403, 'denied', 'FORBIDDEN', 'dossier.sync', dossierCode(2)],
    ['unknown-dossier', 404, 'not_found', 'NOT_FOUND', 'dossier.progress', dossierCode(9)],
    ['not-a-transition', 409, 'invalid', 'CONFLICT', 'dossier.progress', dossierCode(1)]
  ])
  t.same(refused.map((r) => r.client_id), [sub(token), sub(noGrant), sub(token), sub(token)], 'each names the client refused')
  t.same(refused[0].subjects, [app.auditTrail.keys.subject('001090012345')], 'the applicant as a keyed hash')
  t.notOk((await auditTableText(app)).includes('001090012345'))
  t.match(await verifyChain(app.db), { ok: true })
})
