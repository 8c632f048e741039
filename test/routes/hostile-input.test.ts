import t from 'tap'
import { build } from '../helper.js'

t.test('input PostgreSQL refuses (a NUL byte) is a 400, not a 500', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: 'a\u0000b', client_secret: 'x' } })
  t.equal(res.statusCode, 400, res.body)
  t.equal(res.json().code, 'VALIDATION_FAILED')
})

t.test('errors met before routing and malformed HTTP still answer problem+json', async (t) => {
  const app = await build(t)
  const bad = await app.inject('/v1/services/%E0%80%AF')
  t.equal(bad.statusCode, 400)
  t.match(bad.headers['content-type'], /problem\+json/)
  t.equal(bad.json().code, 'VALIDATION_FAILED')
  const long = await app.inject(`/v1/services/${'a'.repeat(300)}`)
  t.ok(long.statusCode >= 400 && long.statusCode < 500)
  t.match(long.headers['content-type'], /problem\+json/)

  const { connect } = await import('node:net')
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const port = Number(new URL(address).port)
  const raw = await new Promise<string>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\nX-Bad: a\rb\r\n\r\n'))
    let data = ''
    socket.on('data', (chunk) => { data += chunk.toString() })
    socket.on('close', () => resolve(data))
  })
  t.match(raw, /^HTTP\/1\.1 400/)
  t.match(raw, /application\/problem\+json/)
})
