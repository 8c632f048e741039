import t from 'tap'
import * as tracing from '@opentelemetry/sdk-trace-base'
import { startTracing } from '../../src/tracing/otel-sdk.js'
import { parseTraceparent } from '../../src/tracing/trace-context.js'

// The SDK must be running before Fastify instances are created. The default sampler here is parent-based: a caller's
// trace marked "not sampled" (flags 00) is not recorded — the path most lookups take under the gateway's 10 % default.
const exporter = new tracing.InMemorySpanExporter()
const sdk = await startTracing({ disabled: false, serviceName: 'lienthong-test', sampler: { name: 'parentbased_traceidratio', ratio: 0 } }, { spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] })
t.teardown(async () => { await sdk?.shutdown() })

const { auditRows } = await import('../audit/helper.js')
const { tracedGateway } = await import('./helper.js')

t.test('an unsampled lookup: no spans, but the trace context still reaches the national system and the audit trail', async (t) => {
  const { app, seen, token } = await tracedGateway(t)
  const lookup = async (traceparent?: string) => await app.inject({
    method: 'POST',
    url: '/v1/lookups/citizen.lookup',
    headers: { authorization: `Bearer ${token}`, 'x-purpose': '1.000894', ...(traceparent !== undefined ? { traceparent } : {}) },
    payload: { personalId: '079203001234' }
  })

  exporter.reset()
  const caller = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' }
  const res = await lookup(`00-${caller.traceId}-${caller.spanId}-00`)
  t.equal(res.statusCode, 200)
  t.equal(exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === caller.traceId).length, 0, 'nothing recorded')
  const answered = parseTraceparent(res.headers.traceparent)
  t.match(answered, { traceId: caller.traceId, flags: '00' })
  t.equal(seen.length, 1)
  t.type(seen[0], 'string', 'one traceparent header upstream')
  t.match(parseTraceparent(seen[0]), { traceId: caller.traceId, spanId: answered?.spanId, flags: '00' }, 'forwarded, still unsampled, parented by this hop')
  const row = (await auditRows(app)).find((r) => r.kind === 'lookup')
  t.match(row, { trace_id: caller.traceId, span_id: answered?.spanId }, 'the audit trail has the exchange whatever the sampler decided')

  // ratio 0: a new trace is not sampled either, and still gets a trace id of its own
  const fresh = await lookup()
  t.equal(fresh.statusCode, 200)
  const own = parseTraceparent(fresh.headers.traceparent)
  t.ok(own !== undefined && own.traceId !== caller.traceId, 'a new trace id')
  t.equal(parseTraceparent(seen[1])?.traceId, own?.traceId)
})
