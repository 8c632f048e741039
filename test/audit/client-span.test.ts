import t from 'tap'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { once } from 'node:events'
import { Pool } from 'undici'
import { tracing } from '@opentelemetry/sdk-node'
import { startTracing } from '../../src/audit/otel-sdk.js'
import { clientSpans } from '../../src/audit/client-span.js'
import { flushTracing, parseTraceparent } from '../../src/audit/trace-context.js'

const exporter = new tracing.InMemorySpanExporter()
const sdk = startTracing({ disabled: false, serviceName: 'lienthong-test' }, { spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] })
t.teardown(async () => { await sdk?.shutdown() })

/** An upstream on port 0 that records the headers it gets; `/down` closes the socket without answering. */
async function upstream (t: Tap.Test): Promise<{ origin: string, seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = []
  const server = createServer((req, res) => {
    seen.push(req.headers)
    if (req.url === '/down') { req.socket.destroy(); return }
    res.end('{}')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.close() })
  return { origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen }
}

/** The upstream's pool with the CLIENT-span interceptor, closed with the test; spans recorded so far dropped. */
async function tracedPool (t: Tap.Test, origin: string): Promise<ReturnType<Pool['compose']>> {
  const pool = new Pool(origin)
  t.teardown(async () => { await pool.close() })
  const http = pool.compose(clientSpans(origin))
  await flushTracing()
  exporter.reset()
  return http
}

const PARENT = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' }

t.test('a sampled call gets a CLIENT span under the span its header names, and sends that span\'s traceparent', async (t) => {
  const { origin, seen } = await upstream(t)
  const http = await tracedPool(t, origin)
  // headers as a flat array of names and values, the query string left out of the span
  const res = await http.request({ method: 'POST', path: '/lookup?pin=079203001234', headers: ['content-type', 'application/json', 'traceparent', `00-${PARENT.traceId}-${PARENT.spanId}-01`], body: '{}' })
  await res.body.text()
  t.equal(res.statusCode, 200)
  await flushTracing()
  const [span] = exporter.getFinishedSpans()
  t.equal(span?.kind, 2)
  t.equal(span?.parentSpanContext?.spanId, PARENT.spanId)
  t.match(span?.attributes, { 'url.full': `${origin}/lookup`, 'http.response.status_code': 200, 'server.address': '127.0.0.1' })
  t.notOk(JSON.stringify(span?.attributes).includes('079203001234'), 'no query string in the span')
  t.match(parseTraceparent(seen[0].traceparent), { traceId: PARENT.traceId, spanId: span?.spanContext().spanId, flags: '01' })
})

t.test('an unsampled call, or one without trace context, goes out untouched and makes no span', async (t) => {
  const { origin, seen } = await upstream(t)
  const http = await tracedPool(t, origin)
  const unsampled = `00-${PARENT.traceId}-${PARENT.spanId}-00`
  await (await http.request({ method: 'GET', path: '/a', headers: { traceparent: unsampled } })).body.text()
  await (await http.request({ method: 'GET', path: '/b' })).body.text()
  t.equal(seen[0].traceparent, unsampled)
  t.equal(seen[1].traceparent, undefined)
  await flushTracing()
  t.equal(exporter.getFinishedSpans().length, 0)
})

t.test('a call that fails ends its span with the error', async (t) => {
  const { origin } = await upstream(t)
  const http = await tracedPool(t, origin)
  await t.rejects(http.request({ method: 'GET', path: '/down', headers: { traceparent: `00-${PARENT.traceId}-${PARENT.spanId}-01` } }))
  await flushTracing()
  const [span] = exporter.getFinishedSpans()
  t.match(span, { kind: 2, status: { code: 2 }, attributes: { 'error.type': String } })
})
