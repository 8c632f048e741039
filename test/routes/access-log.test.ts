import t from 'tap'
import { build, tokenFor, upstream } from '../helper.js'

t.test('one access-log line per request, without the query string, with the trace id', async (t) => {
  const lines: Array<Record<string, unknown>> = []
  const app = await build(t, { env: { LOG_LEVEL: 'info' }, logStream: { write: (l: string) => { lines.push(JSON.parse(l)) } } })
  const auditor = await tokenFor(app, ['auditor'])
  lines.length = 0
  const res = await app.inject({ url: '/v1/audit/events?subject=079203001234', headers: { authorization: `Bearer ${auditor}` } })
  t.equal(res.statusCode, 200)
  await app.inject('/health/live')
  const requestLines = lines.filter((l) => l.msg === 'request' || l.msg === 'incoming request' || l.msg === 'request completed')
  t.equal(requestLines.length, 1, 'one line; health probes only at debug')
  t.match(requestLines[0], { method: 'GET', path: '/v1/audit/events', status: 200, traceId: String(res.headers.traceparent).split('-')[1], level: 30 })
  t.type(requestLines[0].ms, 'number')
  t.equal(requestLines[0].reqId, res.headers['x-request-id'], 'the request id, as on a line of the request\'s own logger')
  t.notOk(JSON.stringify(lines).includes('079203001234'), 'the identifier searched for is not logged')
})

t.test('a log line has one `msg`: the reason of a 5xx is its own field, not a second msg that hides the first', async (t) => {
  const raw: string[] = []
  const url = await upstream(t, (up) => up.post('/lookup', async (_req, reply) => await reply.code(500).send({ error: 'down' })))
  const app = await build(t, {
    env: { LOG_LEVEL: 'warn' },
    logStream: { write: (l: string) => { raw.push(l) } },
    connectors: [{ id: 'population', type: 'rest-json', services: ['citizen.lookup'], provinces: null, enabled: true, config: { baseUrl: url, operations: { 'citizen.lookup': { path: '/lookup' } }, runtime: { retries: { attempts: 0 } } } }]
  })
  const token = await tokenFor(app, ['system'], ['citizen.lookup'])
  const res = await app.inject({ method: 'POST', url: '/v1/lookups/citizen.lookup', headers: { authorization: `Bearer ${token}`, 'x-purpose': '1.000894' }, payload: { personalId: '079203001234' } })
  t.equal(res.statusCode, 502)
  const line = raw.find((l) => l.includes('upstream or dependency failure'))
  t.ok(line, 'the failure is logged')
  t.equal(line?.match(/"msg":/g)?.length, 1, line ?? 'no line')
  t.match(JSON.parse(line ?? '{}'), { msg: 'upstream or dependency failure', code: 'UPSTREAM_ERROR', err: /./, reqId: res.headers['x-request-id'] })
  t.same(raw.filter((l) => (l.match(/"msg":/g)?.length ?? 0) > 1), [], 'no line of the run has two')
})
