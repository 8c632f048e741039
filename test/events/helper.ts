import { randomBytes } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import type { DeclaredInstance } from '../../src/connectors/declarative.js'
import type { TestLike } from '../helper.js'
import { tokenFor } from '../helper.js'
import { portalInstance } from '../deliveries/helper.js'

/** Settings of a test gateway whose sources, lanes and sweeper react in milliseconds. */
export const EVENTS_ENV: Record<string, string> = {
  EVENTS_PULL_INTERVAL_MS: '100',
  EVENTS_SOURCE_LEASE_MS: '2000',
  EVENTS_RETRY_BASE_MS: '50',
  EVENTS_RETRY_MAX_MS: '300',
  EVENTS_RETRY_MIN_BASE_MS: '10',
  EVENTS_SWEEP_INTERVAL_MS: '200',
  EVENTS_SWEEP_GRACE_MS: '200',
  EVENTS_DELIVERY_TIMEOUT_MS: '5000',
  MAX_EVENT_LOOP_DELAY_MS: '0'
}

/** A `dvcqg` instance serving the portal simulator's change feed (and nothing else). */
export function portalFeedInstance (url: string, id = 'portal-feed'): DeclaredInstance {
  return { ...portalInstance(url), id, services: ['dossier.events'] }
}

/** A `population` instance serving the citizen simulator's change feed. */
export function populationFeedInstance (url: string, id = 'population-feed'): DeclaredInstance {
  return { id, type: 'population', services: ['citizen.events'], provinces: null, enabled: true, config: { baseUrl: url } }
}

/** One webhook as the subscriber received it: the exact body and the headers. */
export interface Received { body: string, headers: Record<string, string>, at: number }

export interface Subscriber {
  url: string
  received: Received[]
  /** While set, the subscriber answers with this status (e.g. 503: down for a while). */
  failWith: number | undefined
  /** Bodies parsed, in the order received. */
  events (): Array<{ id: string, type: string, data: Record<string, unknown>, units: Array<Record<string, unknown>> }>
}

/** A provincial system's webhook endpoint on a free loopback port, recording what it receives; closed at teardown. */
export async function subscriber (t: TestLike, path = '/hooks/events'): Promise<Subscriber> {
  const app: FastifyInstance = Fastify({ forceCloseConnections: true })
  const sub: Subscriber = {
    url: '',
    received: [],
    failWith: undefined,
    events: () => sub.received.map((r) => JSON.parse(r.body))
  }
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => { done(null, body) })
  app.post(path, async (req, reply) => {
    if (sub.failWith !== undefined) return await reply.code(sub.failWith).send({ error: 'down' })
    sub.received.push({ body: req.body as string, headers: req.headers as Record<string, string>, at: Date.now() })
    return await reply.code(204).send()
  })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(async () => { await app.close() })
  sub.url = base + path
  return sub
}

/** A subscriber system (a client with the role system) and an admin token, for subscribing. */
export async function parties (app: FastifyInstance): Promise<{ admin: string, clientId: string, system: string }> {
  const admin = await tokenFor(app, ['admin'])
  const clientId = `prov-${randomBytes(3).toString('hex')}`
  const { secret } = await app.clients.create({ id: clientId, name: clientId, roles: ['system'] })
  const res = await app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret } })
  return { admin, clientId, system: (res.json() as { access_token: string }).access_token }
}

/** Creates a subscription through the admin API; returns the response (201 with `{ subscription, secret }`). */
export async function subscribe (app: FastifyInstance, admin: string, body: Record<string, unknown>) {
  return await app.inject({ method: 'POST', url: '/v1/admin/subscriptions', headers: { authorization: `Bearer ${admin}` }, payload: body })
}

/** An online submission for the portal simulator (`portal.feed.submitOnline`). */
export function submission (n: number, over: Record<string, unknown> = {}) {
  return {
    maHoSo: `000.00.08.H61-261205-${String(n).padStart(4, '0')}`,
    maTTHC: '1.001193.000.00.00.H61',
    tenTTHC: 'Đăng ký khai sinh',
    maCoQuan: '000.00.08.H61',
    maTinh: '08',
    maXa: '02269',
    chuHoSo: 'Nguyễn Văn An',
    loaiDoiTuong: '1' as const,
    soDinhDanh: '008090012345',
    soDienThoai: '0912345678',
    taiLieu: [{ ten: 'Tờ khai đăng ký khai sinh', ma: 'TP1' }],
    ...over
  }
}
