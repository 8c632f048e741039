import t from 'tap'
import * as tracing from '@opentelemetry/sdk-trace-base'
import { startTracing } from '../../src/tracing/otel-sdk.js'
import { formatTraceparent, withJobTrace, parseTraceparent } from '../../src/tracing/trace-context.js'

// The SDK must be running before the gateway is built: connector pools get their CLIENT spans when they are made.
const exporter = new tracing.InMemorySpanExporter()
const sdk = await startTracing({ disabled: false, serviceName: 'lienthong-test' }, { spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] })
t.teardown(async () => { await sdk?.shutdown() })

const { tokenFor } = await import('../helper.js')
const { auditRows, get } = await import('../audit/helper.js')
const { tracedGateway } = await import('./helper.js')

t.test('with the SDK on: one trace from the caller through the gateway to the national system', async (t) => {
  const { app, url, seen, token } = await tracedGateway(t)
  const auditor = await tokenFor(app, ['auditor'])
  exporter.reset()
  const caller = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' }
  const res = await app.inject({
    method: 'POST',
    url: '/v1/lookups/citizen.lookup',
    headers: { authorization: `Bearer ${token}`, 'x-purpose': '1.000894', traceparent: `00-${caller.traceId}-${caller.spanId}-01` },
    payload: { personalId: '079203001234' }
  })
  t.equal(res.statusCode, 200)
  t.equal(res.json().meta.traceId, caller.traceId, 'the caller trace is honoured')
  const answered = parseTraceparent(res.headers.traceparent)
  t.equal(answered?.traceId, caller.traceId)

  const spans = exporter.getFinishedSpans()
  const server = spans.find((s) => s.name === 'POST /v1/lookups/:serviceId')
  t.ok(server, 'a SERVER span named by method and route')
  t.equal(server?.kind, 1)
  t.match(server?.attributes, { 'http.route': '/v1/lookups/:serviceId', 'http.response.status_code': 200, 'url.path': '/v1/lookups/citizen.lookup' })
  t.equal(server?.spanContext().traceId, caller.traceId)
  t.equal(server?.parentSpanContext?.spanId, caller.spanId, 'child of the caller span')
  t.equal(answered?.spanId, server?.spanContext().spanId, 'the response names the request span')
  const client = spans.find((s) => s.kind === 2 && s.attributes['url.full'] === `${url}/lookup`)
  t.equal(client?.spanContext().traceId, caller.traceId, 'a CLIENT span for the connector call, in the trace')
  t.equal(client?.parentSpanContext?.spanId, server?.spanContext().spanId, 'child of the request span')
  t.match(client?.attributes, { 'http.request.method': 'POST', 'http.response.status_code': 200 })

  t.equal(seen.length, 1)
  t.type(seen[0], 'string', 'one traceparent header upstream, not two')
  const upstreamTp = parseTraceparent(seen[0])
  t.equal(upstreamTp?.traceId, caller.traceId, 'the national system joins the same trace')
  t.equal(upstreamTp?.spanId, client?.spanContext().spanId, 'parented by the connector call span')

  const row = (await auditRows(app)).find((r) => r.kind === 'lookup')
  t.match(row, { trace_id: caller.traceId, span_id: server?.spanContext().spanId })

  exporter.reset()
  await get(app, auditor, '/v1/audit/events?subject=079203001234')
  const text = JSON.stringify(exporter.getFinishedSpans().map((s) => s.attributes))
  t.notOk(text.includes('079203001234'), 'an identifier searched for never reaches a span')
  t.ok(text.includes('/v1/audit/events'))

  const metricsText = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(metricsText, /lienthong_lookup_duration_seconds_count\{[^}]*service="citizen.lookup"/, 'the SDK MeterProvider feeds /metrics')
})

t.test('queued work joins the trace of the request that queued it', async (t) => {
  const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
  exporter.reset()
  const inner = await withJobTrace(tp, 'delivery.process', async (hop) => formatTraceparent(hop))
  t.equal(parseTraceparent(inner)?.traceId, '4bf92f3577b34da6a3ce929d0e0e4736')
  const consumer = exporter.getFinishedSpans().find((s) => s.name === 'delivery.process')
  t.equal(consumer?.parentSpanContext?.spanId, '00f067aa0ba902b7')
  t.equal(parseTraceparent(inner)?.spanId, consumer?.spanContext().spanId)
})

t.test('a connector call that fails ends its CLIENT span as an error', async (t) => {
  const { app, token } = await tracedGateway(t, { status: 500 })
  exporter.reset()
  const res = await app.inject({
    method: 'POST',
    url: '/v1/lookups/citizen.lookup',
    headers: { authorization: `Bearer ${token}`, 'x-purpose': '1.000894', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    payload: { personalId: '079203001234' }
  })
  t.equal(res.statusCode, 502, res.body)
  const spans = exporter.getFinishedSpans()
  const calls = spans.filter((s) => s.kind === 2)
  t.ok(calls.length >= 1, 'one CLIENT span per attempt')
  for (const c of calls) t.match(c, { status: { code: 2 }, attributes: { 'http.response.status_code': 500 } })
  const server = spans.find((s) => s.name === 'POST /v1/lookups/:serviceId')
  t.match(server, { status: { code: 2 }, attributes: { 'http.response.status_code': 502 } }, 'a 5xx answer is an error of the request span')
})
