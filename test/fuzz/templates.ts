import { randomUUID } from 'node:crypto'
import type { Prng } from '../../src/simulators/seed/prng.js'
import { sampleIds } from '../../src/simulators/index.js'
import { dossier, step } from '../deliveries/helper.js'

const SAMPLES = sampleIds()

type Template = (rng: Prng, path: string) => unknown

const lookupBody = (rng: Prng, path: string): unknown => {
  const service = path.split('/')[3] ?? ''
  const samples = (SAMPLES as Record<string, unknown[]>)[service] ?? SAMPLES['citizen.lookup']
  return rng.pick(samples)
}

const connector = (rng: Prng): Record<string, unknown> => ({
  type: rng.pick(['rest-json', 'dvcqg', 'nope']),
  services: [rng.pick(['tax.taxpayer.lookup', 'citizen.lookup', 'dossier.sync'])],
  provinces: rng.chance(0.5) ? null : ['01'],
  config: {
    baseUrl: rng.pick(['http://127.0.0.1:9', 'http://169.254.169.254/', 'file:///etc/passwd', 'http://user:pw@127.0.0.1/']),
    operations: { 'tax.taxpayer.lookup': { path: '/api/taxpayers/lookup' } },
    auth: { type: 'header', name: 'x-api-key', value: 'fuzz-secret-value' }
  },
  enabled: rng.chance(0.5)
})

/**
 * A valid (or nearly valid) body per route, which the generator then mutates: the fuzz reaches the code behind the
 * schema only from bodies that get past it. Keyed by "METHOD url" as the router knows the route.
 */
export const TEMPLATES: Record<string, Template> = {
  'POST /v1/auth/token': (rng) => ({ grant_type: 'client_credentials', client_id: rng.pick(['fuzz-system', 'fuzz-admin', 'nobody']), client_secret: 'wrong-secret' }),
  'POST /v1/lookups/:serviceId': lookupBody,
  'POST /v1/dossiers': (rng) => dossier(rng.int(1, 9999)),
  'POST /v1/dossiers/:code/progress': (rng) => step(rng.pick([3, 4, 5, 9, 10])),
  'POST /v1/admin/clients': (rng) => ({ id: `fuzz-new-${rng.int(0, 1e9)}`, name: 'Fuzz', roles: ['system'], grants: ['citizen.lookup'], enabled: true }),
  'PATCH /v1/admin/clients/:id': (rng) => ({ name: 'Renamed', grants: ['tax.taxpayer.lookup'], enabled: rng.chance(0.5), limits: { perSecond: 5, perDay: 100 } }),
  'POST /v1/admin/connectors': (rng) => ({ id: 'fuzz-conn', ...connector(rng) }),
  'PUT /v1/admin/connectors/:id': (rng) => connector(rng),
  // Never a document the gateway could apply: it would replace the live connectors (the fuzz sends no force=true).
  'PUT /v1/admin/config': (rng) => ({ version: 1, clients: [{ id: 'fuzz-imported', name: 'x', roles: ['system'] }], connectors: [{ id: 'fuzz-conn', ...connector(rng) }] }),
  'POST /v1/admin/tokens/revoke': (rng) => rng.chance(0.5) ? { jti: randomUUID() } : { token: 'eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJ4In0.c2ln' },
  'POST /v1/admin/deliveries/retry': () => ({ service: 'dossier.sync', from: '2025-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z', dossierCode: '000.00.01.H22-250715-0001' }),
  'POST /v1/admin-units/resolve': () => ({ items: [{ provinceCode: '01', asOf: '2024-06-01' }, { provinceName: 'Hà Nội', communeName: 'Phúc Xá', asOf: '2020-01-01' }, { communeCode: '00004' }] })
}
