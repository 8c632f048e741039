import t from 'tap'
import { build } from '../helper.js'
import { AGENCIES, FAST_ENV, GRANTS, dossier, dossierCode, portalInstance, post, startPortal, statusCounts, step } from '../deliveries/helper.js'

t.test('dossier routes are rate limited per client and service: 429 RATE_LIMITED, nothing recorded', async (t) => {
  const portal = await startPortal(t)
  const app = await build(t, { connectors: [portalInstance(portal.url)], env: { ...FAST_ENV, CLIENT_CACHE_TTL_MS: '0' }, workers: false })
  const { secret } = await app.clients.create({ id: 'limited-system', name: 'limited', roles: ['system'], grants: GRANTS, agencies: AGENCIES })
  await app.clients.patch('limited-system', { limits: { perSecond: 3 } })
  const token = (await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: 'limited-system', client_secret: secret } })).json().access_token

  const syncs = []
  for (let n = 1; n <= 10; n++) syncs.push(await post(app, token, '/v1/dossiers', dossier(n)))
  const codes = syncs.map((r) => r.statusCode)
  t.ok(codes.includes(429), `some syncs refused: ${codes.join(',')}`)
  const refused = syncs.find((r) => r.statusCode === 429)
  t.equal(refused?.json().code, 'RATE_LIMITED')
  t.match(refused?.headers['content-type'], /application\/problem\+json/)
  t.ok(Number(refused?.headers['retry-after']) >= 1, 'Retry-After')
  const accepted = codes.filter((c) => c === 202).length
  t.ok(accepted >= 3)
  t.same(await statusCounts(app), { queued: accepted }, 'a refused request records nothing')

  // dossier.progress has its own counter
  const first = syncs.findIndex((r) => r.statusCode === 202) + 1
  const steps = []
  for (let i = 0; i < 10; i++) steps.push((await post(app, token, `/v1/dossiers/${dossierCode(first)}/progress`, step(4))).statusCode)
  t.ok(steps.includes(202), `progress is counted apart from sync: ${steps.join(',')}`)
  t.ok(steps.includes(429), 'and limited too')
})
