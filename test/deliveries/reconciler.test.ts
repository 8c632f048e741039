import t from 'tap'
import type { Redis } from 'ioredis'
import type { FastifyInstance } from 'fastify'
import { build, tokenFor } from '../helper.js'
import { FAST_ENV, AGENCIES, GRANTS, dossier, portalInstance, post, startPortal } from './helper.js'

/** A gateway without workers (nothing promotes or runs jobs), one accepted dossier; its delivery id. */
async function oneAccepted (t: Tap.Test): Promise<{ app: FastifyInstance, id: string, redis: Redis }> {
  const portal = await startPortal(t)
  const app = await build(t, { connectors: [portalInstance(portal.url)], env: { ...FAST_ENV, WORKERS: 'false', DELIVERY_RECONCILE_GRACE_MS: '1000' } })
  const token = await tokenFor(app, ['system'], GRANTS, AGENCIES)
  const res = await post(app, token, '/v1/dossiers', dossier(1))
  t.equal(res.statusCode, 202)
  const id = (res.json() as { deliveryId: string }).deliveryId
  // the delivery was last touched an hour ago: past the reconciler's grace
  await app.db.query("UPDATE deliveries SET updated_at = now() - interval '1 hour' WHERE id = $1", [id])
  return { app, id, redis: app.redis.client as Redis }
}

/** Replaces the delivery's job by one delayed since `sinceMs` ago for `delayMs`. */
async function delayedJob (t: Tap.Test, app: FastifyInstance, id: string, sinceMs: number, delayMs: number): Promise<void> {
  const queue = app.queues.deliveries
  const job = await queue.getJob(id)
  await job?.remove()
  await queue.add('dossier.sync', job?.data ?? { deliveryId: id, dossierCode: 'x', service: 'dossier.sync' }, { jobId: id, delay: delayMs, timestamp: Date.now() - sinceMs })
  t.equal(await queue.getJobState(id), 'delayed')
}

t.test('a delayed job long overdue (nobody promoted it) is re-queued; one still due later is left alone', async (t) => {
  const { app, id } = await oneAccepted(t)
  await delayedJob(t, app, id, 10_000, 60_000) // due in 50 s
  t.match(await app.queues.reconcile(), { checked: 1, requeued: 0 }, 'a delayed job not yet due is live')
  await delayedJob(t, app, id, 120_000, 500) // due two minutes ago
  t.match(await app.queues.reconcile(), { checked: 1, requeued: 1 })
  t.equal(await app.queues.deliveries.getJobState(id), 'waiting', 'back in the waiting list')
  t.match((await app.queues.deliveries.getJob(id))?.data, { deliveryId: id, service: 'dossier.sync' })
})

t.test('a delayed job whose hash lost its creation fields (debris of a flush) is re-queued whole', async (t) => {
  const { app, id, redis } = await oneAccepted(t)
  await delayedJob(t, app, id, 0, 60_000)
  await redis.hdel(app.queues.deliveries.toKey(id), 'name', 'data')
  t.match(await app.queues.reconcile(), { checked: 1, requeued: 1 })
  t.equal(await app.queues.deliveries.getJobState(id), 'waiting')
  t.match((await app.queues.deliveries.getJob(id))?.data, { deliveryId: id, service: 'dossier.sync' })
})
