import t from 'tap'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { once } from 'node:events'
import { Pool, type Dispatcher } from 'undici'
import * as tracing from '@opentelemetry/sdk-trace-base'
import { startTracing } from '../../src/tracing/otel-sdk.js'
import { clientSpans } from '../../src/tracing/client-span.js'
import { flushTracing, parseTraceparent } from '../../src/tracing/trace-context.js'
import { probeInstance, silentLog } from '../connectors/probe-type.js'

const exporter = new tracing.InMemorySpanExporter()
const sdk = await startTracing({ disabled: false, serviceName: 'lienthong-test' }, { spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] })
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

t.test('a connector instance sends only its sampled calls through the interceptor; the others go to the plain pool', async (t) => {
  const { origin, seen } = await upstream(t)
  const given: Dispatcher[] = []
  const inst = probeInstance(t, origin, async (ctx) => {
    given.push(ctx.http)
    const res = await ctx.http.request({ method: 'POST', path: '/lookup', headers: { 'content-type': 'application/json', ...ctx.headers }, body: '{}' })
    return await res.body.json()
  })
  const log = silentLog
  await flushTracing()
  exporter.reset()

  const unsampled = `00-${PARENT.traceId}-${PARENT.spanId}-00`
  await inst.lookup('citizen.lookup', {}, { idempotent: true, log, headers: { traceparent: unsampled } })
  await inst.lookup('citizen.lookup', {}, { idempotent: true, log })
  // the plain pool: its own dispatch, not the one a composed dispatcher has
  t.equal(given[0].dispatch, Pool.prototype.dispatch, 'an unsampled call is given the plain pool')
  t.equal(given[1].dispatch, Pool.prototype.dispatch, 'so is a call without trace context')
  t.equal(seen[0].traceparent, unsampled, 'the trace context goes out as it came, flags 00')
  t.equal(seen[1].traceparent, undefined)
  await flushTracing()
  t.equal(exporter.getFinishedSpans().length, 0, 'no span')

  await inst.lookup('citizen.lookup', {}, { idempotent: true, log, headers: { traceparent: `00-${PARENT.traceId}-${PARENT.spanId}-01` } })
  t.not(given[2].dispatch, Pool.prototype.dispatch, 'a sampled call goes through the interceptor')
  await flushTracing()
  const [span] = exporter.getFinishedSpans()
  t.match(span, { kind: 2, parentSpanContext: { spanId: PARENT.spanId }, attributes: { 'url.full': `${origin}/lookup`, 'http.response.status_code': 200 } })
  t.match(parseTraceparent(seen[2].traceparent), { traceId: PARENT.traceId, spanId: span?.spanContext().spanId, flags: '01' })
})
