import t from 'tap'
import * as tracing from '@opentelemetry/sdk-trace-base'
import { startTracing } from '../../src/tracing/otel-sdk.js'

// The SDK must be running before the gateway is built: connector pools get their CLIENT spans when they are made.
const exporter = new tracing.InMemorySpanExporter()
const sdk = await startTracing({ disabled: false, serviceName: 'lienthong-test' }, { spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] })
t.teardown(async () => { await sdk?.shutdown() })

const { build, tokenFor } = await import('../helper.js')
const { AGENCIES, FAST_ENV, GRANTS, dossier, portalInstance, post, startPortal, statusCounts, waitFor } = await import('./helper.js')

t.test('with the SDK on, the worker\'s span and its portal call join the trace of the request that accepted the dossier', async (t) => {
  const portal = await startPortal(t)
  const app = await build(t, { connectors: [portalInstance(portal.url)], env: FAST_ENV })
  const token = await tokenFor(app, ['system'], GRANTS, AGENCIES)
  exporter.reset()
  const caller = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' }
  const res = await post(app, token, '/v1/dossiers', dossier(1), { traceparent: `00-${caller.traceId}-${caller.spanId}-01` })
  t.equal(res.statusCode, 202, res.body)
  await waitFor(async () => (await statusCounts(app)).delivered === 1, 10_000, 'delivered')

  const spans = exporter.getFinishedSpans()
  const request = spans.find((s) => s.name === 'POST /v1/dossiers')
  t.equal(request?.spanContext().traceId, caller.traceId, 'the request span continues the caller\'s trace')
  await waitFor(() => exporter.getFinishedSpans().some((s) => s.name === 'delivery dossier.sync'), 10_000, 'the job span')
  const job = exporter.getFinishedSpans().find((s) => s.name === 'delivery dossier.sync')
  t.equal(job?.kind, 4, 'a CONSUMER span for the job')
  t.equal(job?.spanContext().traceId, caller.traceId, 'in the request\'s trace')
  t.equal(job?.parentSpanContext?.spanId, request?.spanContext().spanId, 'child of the request span')
  const call = exporter.getFinishedSpans().find((s) => s.kind === 2 && String(s.attributes['url.full']).startsWith(portal.url))
  t.equal(call?.spanContext().traceId, caller.traceId, 'the portal call is in the trace')
  t.equal(call?.parentSpanContext?.spanId, job?.spanContext().spanId, 'as a child of the job span')
})

t.test('a request the caller did not sample gives an unsampled job: no orphan job span', async (t) => {
  const portal = await startPortal(t)
  const app = await build(t, { connectors: [portalInstance(portal.url)], env: FAST_ENV })
  const token = await tokenFor(app, ['system'], GRANTS, AGENCIES)
  exporter.reset()
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
  const res = await post(app, token, '/v1/dossiers', dossier(2), { traceparent: `00-${traceId}-00f067aa0ba902b7-00` })
  t.equal(res.statusCode, 202, res.body)
  t.match(res.headers.traceparent, new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`))
  await waitFor(async () => (await statusCounts(app)).delivered === 1, 10_000, 'delivered')
  const { rows } = await app.db.query('SELECT traceparent FROM deliveries')
  t.equal(rows[0].traceparent, res.headers.traceparent, 'the job continues the hop\'s trace context, flags included')
  t.notOk(exporter.getFinishedSpans().some((s) => s.name === 'delivery dossier.sync'), 'no job span recorded')
})
