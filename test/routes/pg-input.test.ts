import t from 'tap'
import { build } from '../helper.js'

t.test('input PostgreSQL refuses (a NUL byte) is a 400, not a 500', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: 'a\u0000b', client_secret: 'x' } })
  t.equal(res.statusCode, 400, res.body)
  t.equal(res.json().code, 'VALIDATION_FAILED')
})
