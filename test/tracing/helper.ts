import type { FastifyInstance } from 'fastify'
import { build, tokenFor, upstream, type TestLike } from '../helper.js'

const CITIZEN = { personalId: '079203001234', fullName: 'Nguyễn Văn A', dateOfBirth: '2003-01-01', gender: 'male', nationality: 'VN', permanentAddress: { provinceCode: '79', communeCode: '26734', detail: '1 Lê Lợi' }, status: 'alive' }

/**
 * A gateway whose citizen lookups go to an upstream on port 0 that records the `traceparent` of each call it gets
 * (in `seen`) and answers with `status` (200 by default), and a token of a system client granted them. For the
 * tracing tests (start the SDK first).
 */
export async function tracedGateway (t: TestLike, opts: { status?: number } = {}): Promise<{ app: FastifyInstance, url: string, token: string, seen: Array<string | string[] | undefined> }> {
  const seen: Array<string | string[] | undefined> = []
  const url = await upstream(t, (up) => up.post('/lookup', async (req, reply) => {
    seen.push(req.headers.traceparent)
    return await reply.code(opts.status ?? 200).send(opts.status === undefined ? CITIZEN : { error: 'failed' })
  }))
  const app = await build(t, {
    env: { AUDIT_KEY: 'tracing-test-key-0123456789' },
    connectors: [{ id: 'population', type: 'rest-json', services: ['citizen.lookup'], provinces: null, enabled: true, config: { baseUrl: url, operations: { 'citizen.lookup': { path: '/lookup' } } } }]
  })
  return { app, url, seen, token: await tokenFor(app, ['system'], ['citizen.lookup']) }
}
