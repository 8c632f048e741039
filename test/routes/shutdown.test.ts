import t from 'tap'
import { connect } from 'node:net'
import { build, tokenFor, upstream } from '../helper.js'

const CITIZEN = { personalId: '079203001234', fullName: 'Nguyễn Văn A', dateOfBirth: '2003-01-01', gender: 'male', nationality: 'VN', permanentAddress: { provinceCode: '79', communeCode: '26740', detail: '1 Lê Lợi' }, status: 'alive' }

t.test('closing: the request in flight finishes; one arriving on its keep-alive connection gets a problem+json 503', async (t) => {
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  let arrived: () => void = () => {}
  const inFlight = new Promise<void>((resolve) => { arrived = resolve })
  const url = await upstream(t, (up) => up.post('/lookup', async () => { arrived(); await gate; return CITIZEN }))
  const app = await build(t, { connectors: [{ id: 'population', type: 'rest-json', services: ['citizen.lookup'], provinces: null, enabled: true, config: { baseUrl: url, operations: { 'citizen.lookup': { path: '/lookup' } } } }] })
  const token = await tokenFor(app, ['system'], ['citizen.lookup'])
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }

  const body = JSON.stringify({ personalId: '079203001234' })
  const request = (path: string): string => `POST ${path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\nx-purpose: 1.000894\r\n` +
    `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  const socket = connect(port, '127.0.0.1')
  let received = ''
  socket.on('data', (d) => { received += d.toString() })
  const ended = new Promise((resolve) => socket.on('close', resolve))
  socket.write(request('/v1/lookups/citizen.lookup'))
  await inFlight
  const closed = app.close()
  await new Promise((resolve) => setTimeout(resolve, 50))
  socket.write(request('/v1/lookups/citizen.lookup'))
  await new Promise((resolve) => setTimeout(resolve, 50))
  release()
  await closed
  await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 2000))])
  socket.destroy()

  const responses = received.split(/(?=HTTP\/1\.1 )/)
  t.match(responses[0], /^HTTP\/1\.1 200 /, 'the lookup in flight is answered')
  t.match(responses[1], /^HTTP\/1\.1 503 /, 'the one arriving while closing is refused')
  t.match(responses[1], /content-type: application\/problem\+json/i)
  t.match(responses[1], /"code":"SERVICE_UNAVAILABLE"/)
  t.match(responses[1], /retry-after: 1/i)
})
