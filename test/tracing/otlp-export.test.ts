import t from 'tap'
import { once } from 'node:events'
import { createServer, type IncomingMessage } from 'node:http'
import { loadConfig } from '../../src/config.js'
import { startTracing } from '../../src/tracing/otel-sdk.js'

// A real OTLP/HTTP receiver on loopback: what the gateway exports, by path, with its content type and body.
interface Export { path: string, type: string | undefined, body: Buffer }
const received: Export[] = []
const receiver = createServer((req: IncomingMessage, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    received.push({ path: req.url ?? '', type: req.headers['content-type'], body: Buffer.concat(chunks) })
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
})
receiver.listen(0, '127.0.0.1')
await once(receiver, 'listening')
const endpoint = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`
t.teardown(() => { receiver.close() })

// The OTLP exporters read their endpoint, headers and timeout from the standard variables themselves (as every
// OpenTelemetry SDK does); the gateway's own reading of the rest goes through loadConfig.
process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint
const otel = loadConfig({
  REDIS_URL: 'redis://127.0.0.1:1',
  OTEL_SERVICE_NAME: 'lienthong-otlp-test',
  OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
  OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
  OTEL_TRACES_SAMPLER: 'always_on',
  OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test'
}).otel
const sdk = await startTracing(otel)
t.teardown(async () => { await sdk?.shutdown() })

const { tracedGateway } = await import('./helper.js')
const { flushTracing } = await import('../../src/tracing/trace-context.js')

interface KeyValue { key: string, value: { stringValue?: string } }
const attrs = (list: KeyValue[] | undefined): Record<string, string | undefined> =>
  Object.fromEntries((list ?? []).map((a) => [a.key, a.value.stringValue]))

t.test('with OTEL_EXPORTER_OTLP_ENDPOINT: spans and metrics reach an OTLP/HTTP receiver in the configured protocol', async (t) => {
  const { app, token } = await tracedGateway(t)
  const res = await app.inject({
    method: 'POST',
    url: '/v1/lookups/citizen.lookup',
    headers: { authorization: `Bearer ${token}`, 'x-purpose': '1.000894' },
    payload: { personalId: '079203001234' }
  })
  t.equal(res.statusCode, 200)
  await flushTracing()

  const traces = received.filter((r) => r.path === '/v1/traces')
  t.ok(traces.length > 0, 'spans exported to /v1/traces')
  t.ok(traces.every((r) => r.type === 'application/json'), 'as OTLP JSON (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json)')
  const batches = traces.flatMap((r) => (JSON.parse(r.body.toString()) as { resourceSpans: Array<{ resource: { attributes: KeyValue[] }, scopeSpans: Array<{ spans: Array<{ name: string, traceId: string }> }> }> }).resourceSpans)
  const resource = attrs(batches[0]?.resource.attributes)
  t.equal(resource['service.name'], 'lienthong-otlp-test', 'the service name of OTEL_SERVICE_NAME')
  t.equal(resource['deployment.environment.name'], 'test', 'OTEL_RESOURCE_ATTRIBUTES is read')
  t.equal(resource['telemetry.sdk.language'], 'nodejs', 'the SDK describes itself')
  const names = batches.flatMap((b) => b.scopeSpans.flatMap((s) => s.spans.map((sp) => sp.name)))
  t.ok(names.includes('POST /v1/lookups/:serviceId'), 'the SERVER span of the lookup')
  const spans = batches.flatMap((b) => b.scopeSpans.flatMap((s) => s.spans))
  t.ok(spans.some((sp) => sp.traceId === res.json().meta.traceId), 'in the trace the answer names')

  const metrics = received.filter((r) => r.path === '/v1/metrics')
  t.ok(metrics.length > 0, 'metrics exported to /v1/metrics when the app closes')
  const metricNames = metrics.flatMap((r) => (JSON.parse(r.body.toString()) as { resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Array<{ name: string }> }> }> }).resourceMetrics
    .flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.name))))
  t.ok(metricNames.includes('lienthong.lookup.duration'), 'the gateway\'s own instruments among them')
})

t.test('the OTEL_* values the SDK would otherwise misread are refused at start', async (t) => {
  const base = { REDIS_URL: 'redis://127.0.0.1:1' }
  t.throws(() => loadConfig({ ...base, OTEL_PROPAGATORS: 'tracecontext,w3c' }), /OTEL_PROPAGATORS/)
  t.throws(() => loadConfig({ ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'http' }), /OTEL_EXPORTER_OTLP_PROTOCOL/)
  t.throws(() => loadConfig({ ...base, OTEL_TRACES_EXPORTER: 'zipkin' }), /OTEL_TRACES_EXPORTER/)
  const c = loadConfig({ ...base, OTEL_PROPAGATORS: ' b3multi , tracecontext', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json', OTEL_METRIC_EXPORT_INTERVAL: '1000' }).otel
  t.same(c.propagators, ['b3multi', 'tracecontext'])
  t.equal(c.tracesProtocol, 'grpc', 'the general protocol when no signal-specific one is set')
  t.equal(c.metricsProtocol, 'http/json')
  t.same(c.metricExport, { intervalMs: 1000, timeoutMs: 1000 }, 'a timeout longer than the interval is cut to it')
  t.same(loadConfig({ ...base, OTEL_PROPAGATORS: 'none' }).otel.propagators, [])
})

t.test('OTEL_RESOURCE_ATTRIBUTES as the specification writes it', async (t) => {
  const base = { REDIS_URL: 'redis://127.0.0.1:1' }
  t.same(loadConfig({ ...base, OTEL_RESOURCE_ATTRIBUTES: 'a=1, service.namespace=tinh%20Hue ,b=x%2Cy' }).otel.resourceAttributes, { a: '1', 'service.namespace': 'tinh Hue', b: 'x,y' })
  t.throws(() => loadConfig({ ...base, OTEL_RESOURCE_ATTRIBUTES: 'a=1,novalue' }), /OTEL_RESOURCE_ATTRIBUTES: "novalue"/)
  t.throws(() => loadConfig({ ...base, OTEL_RESOURCE_ATTRIBUTES: 'a=%E0%A4%A' }), /OTEL_RESOURCE_ATTRIBUTES/)
})
