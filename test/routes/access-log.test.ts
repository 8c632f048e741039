import t from 'tap'
import { build, tokenFor } from '../helper.js'

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
  t.notOk(JSON.stringify(lines).includes('079203001234'), 'the identifier searched for is not logged')
})
