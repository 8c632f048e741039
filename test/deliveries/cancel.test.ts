import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, tokenFor } from '../helper.js'
import { auditRows } from '../audit/helper.js'
import { FAST_ENV, dossier, dossierCode, portalInstance, post, startPortal, statusCounts, step, waitFor, AGENCIES, GRANTS } from './helper.js'

const call = async (app: FastifyInstance, token: string, url: string, payload?: unknown) =>
  await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload: payload as object } : {}) })

t.test('an admin cancels a dead letter: recorded and audited, and the dossier\'s later steps are delivered', async (t) => {
  const portal = await startPortal(t)
  // A blocked delivery would only look again after a minute: what delivers the later step is the cancellation.
  const app = await build(t, { connectors: [portalInstance(portal.url)], env: { ...FAST_ENV, DELIVERY_BLOCKED_WAIT_MS: '60000', AUDIT_KEY: 'cancel-test-key-0123456789abcdef' } })
  const token = await tokenFor(app, ['system'], GRANTS, AGENCIES)
  const admin = await tokenFor(app, ['admin'])
  t.equal((await post(app, token, '/v1/dossiers', dossier(1))).statusCode, 202)
  await waitFor(async () => (await statusCounts(app)).delivered === 1, 10_000, 'the dossier')

  portal.portal.forceErrors(1, 1)
  const failing = await post(app, token, `/v1/dossiers/${dossierCode(1)}/progress`, step(4, { note: 'refused' }))
  t.equal(failing.statusCode, 202)
  await waitFor(async () => (await statusCounts(app)).failed === 1, 10_000, 'a dead letter')
  const later = await post(app, token, `/v1/dossiers/${dossierCode(1)}/progress`, step(5, { note: 'later' }))
  t.equal(later.statusCode, 202)
  const id = failing.json().deliveryId as string

  const bad = await call(app, admin, `/v1/admin/deliveries/${id}/cancel`, {})
  t.equal(bad.statusCode, 400, 'a reason is required')
  t.equal(bad.json().code, 'VALIDATION_FAILED')
  t.match(bad.headers['content-type'], /application\/problem\+json/)
  t.equal((await call(app, token, `/v1/admin/deliveries/${id}/cancel`, { reason: 'x' })).statusCode, 403, 'admins only')
  const unknown = await call(app, admin, '/v1/admin/deliveries/00000000-0000-4000-8000-000000000000/cancel', { reason: 'x' })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().code, 'NOT_FOUND')
  const notFailed = await call(app, admin, `/v1/admin/deliveries/${later.json().deliveryId as string}/cancel`, { reason: 'x' })
  t.equal(notFailed.statusCode, 409, 'only failed deliveries are cancelled')
  t.equal(notFailed.json().code, 'CONFLICT')
  t.equal(portal.portal.countProgress(dossierCode(1)), 0, 'the later step still waits behind the dead letter')

  const res = await call(app, admin, `/v1/admin/deliveries/${id}/cancel`, { reason: 'Refused by the portal: the step was entered twice' })
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json(), { id, dossierCode: dossierCode(1), status: 'cancelled', cancelledAt: String, cancelledBy: String, reason: /entered twice/, released: later.json().deliveryId })
  await waitFor(async () => (await statusCounts(app)).delivered === 2, 10_000, 'the later step')
  t.same(await statusCounts(app), { delivered: 2, cancelled: 1 })
  t.same(portal.portal.received(dossierCode(1)).progress.map((p) => p.data.NoiDungXuLy), ['later'], 'the cancelled step never reaches the portal')

  const again = await call(app, admin, `/v1/admin/deliveries/${id}/cancel`, { reason: 'twice' })
  t.equal(again.statusCode, 409, 'a cancelled delivery is not cancelled again')
  t.equal((await call(app, admin, `/v1/admin/deliveries/${id}/retry`)).statusCode, 409, 'nor replayed')

  const listed = await app.inject({ method: 'GET', url: '/v1/admin/deliveries?status=cancelled', headers: { authorization: `Bearer ${admin}` } })
  t.equal(listed.statusCode, 200)
  t.match(listed.json().items, [{ id, status: 'cancelled', cancelReason: /entered twice/, cancelledAt: String, cancelledBy: String }])
  const own = await app.inject({ method: 'GET', url: `/v1/deliveries/${id}`, headers: { authorization: `Bearer ${token}` } })
  t.equal(own.json().status, 'cancelled', 'the client sees it cancelled')

  const change = (await auditRows(app)).find((r) => r.kind === 'admin.change' && JSON.stringify(r.details).includes('cancel'))
  t.ok(change, 'the cancellation is an admin change in the audit trail')
  t.match(JSON.stringify(change?.details), /"entity":"delivery"/)
})
