import type { FastifyInstance } from 'fastify'
import { Conflict, NotFound, ValidationFailed } from '../../errors.js'
import { decodeEventCursor, encodeEventCursor } from '../../events/pull.js'
import { badCursor, pageOf, pageQuery, pageSchema, readPage } from '../../lib/page.js'
import { checkSubscription, type CheckedSubscription } from '../../events/subscription-rules.js'
import type { StoredSecret } from '../../events/signing-secrets.js'
import { newSubscriptionId, type Subscription, type SubscriptionInput } from '../../events/subscriptions.js'
import { replayDeliveries, searchDeliveries, subscriptionView, type DeliverySearch } from '../../events/views.js'
import { auditAdminChange } from './audit-change.js'
import { deliveryItem, deliverySearch, subscriptionBody, subscriptionReplace, subscriptionViewSchema } from './subscription-schemas.js'

const params = { type: 'object', properties: { id: { type: 'string', pattern: '^sub_[0-9a-f]{16}$' } }, required: ['id'] } as const

interface ListQuery extends DeliverySearch { limit?: string, cursor?: string }

/** The stored form of a checked subscription. */
const recordOf = (id: string, value: CheckedSubscription, secrets: StoredSecret[]): Omit<Subscription, 'createdAt' | 'updatedAt' | 'version'> => ({
  id,
  clientId: value.clientId,
  eventTypes: value.eventTypes,
  filter: value.filter ?? {},
  callbackUrl: value.callbackUrl ?? null,
  purpose: value.purpose,
  retryPolicy: value.retryPolicy,
  enabled: value.enabled ?? true,
  secrets
})

/** 400 with the rules' errors as JSON Pointers into the request (`/body/…`). */
function invalid (errors: Array<{ path: string, message: string }>): Error {
  return Object.assign(new ValidationFailed('The subscription is invalid'), { errors: errors.map((e) => ({ ...e, path: `/body${e.path}` })) })
}

/** The order of the list (creation, then id) as one comparable key. */
const listKey = (s: Subscription): string => `${s.createdAt} ${s.id}`
const deleted = { type: 'null', description: 'Deleted' }
const rotatedSchema = {
  type: 'object',
  required: ['id', 'secret', 'secrets'],
  properties: { id: { type: 'string' }, secret: { type: 'string', description: 'The new whsec_ secret: shown here only' }, secrets: subscriptionViewSchema.properties.secrets }
}

/**
 * Admin: subscriptions of provincial systems to events (docs/events.md) — event types, filter in today's units,
 * callback URL inside the outbound allowlist (or none: the subscriber pulls), declared purpose, retry policy within
 * the admin's bounds; signing secrets shown once and rotated with overlap; searchable delivery status and replay.
 * Every change is an admin.change audit event, without secrets.
 */
export default async function subscriptionRoutes (app: FastifyInstance): Promise<void> {
  const { subscriptions: store, rules, signing } = app.events
  const found = async (id: string): Promise<Subscription> => {
    const s = await store.get(id)
    if (s === undefined) throw new NotFound(`Subscription ${id} does not exist`)
    return s
  }

  app.get<{ Querystring: { limit?: string, cursor?: string } }>('/v1/admin/subscriptions', {
    schema: {
      tags: ['events'],
      summary: 'Subscriptions to events, oldest first',
      querystring: { type: 'object', additionalProperties: false, properties: pageQuery(1000, 100) },
      response: { 200: pageSchema(subscriptionViewSchema) }
    }
  }, async (request) => {
    const page = readPage(request.query, 100)
    const after = (await store.list()).filter((s) => page.after === undefined || listKey(s) > page.after)
    return pageOf(after.slice(0, page.limit + 1), page.limit, listKey, subscriptionView)
  })

  app.post<{ Body: SubscriptionInput }>('/v1/admin/subscriptions', {
    schema: {
      tags: ['events'],
      summary: 'Subscribe a provincial system to events (the webhook signing secret is shown once)',
      body: subscriptionBody,
      response: {
        201: {
          type: 'object',
          required: ['subscription'],
          properties: { subscription: subscriptionViewSchema, secret: { type: 'string', description: 'The whsec_ signing secret of a webhook subscription: shown here only (none for a pull subscription)' } }
        }
      }
    }
  }, async (request, reply) => {
    const { errors, value } = await checkSubscription(request.body, rules)
    if (errors.length > 0) throw invalid(errors)
    const id = newSubscriptionId()
    const webhook = value.callbackUrl !== undefined && value.callbackUrl !== null
    const first = webhook ? signing.first(id) : undefined
    const created = await store.insert(recordOf(id, value, first?.secrets ?? []))
    const view = subscriptionView(created)
    auditAdminChange(app, request, { entity: 'subscription', id, action: 'create', after: view })
    void reply.header('cache-control', 'no-store')
    return await reply.code(201).send({ subscription: view, ...(first !== undefined ? { secret: first.plain } : {}) })
  })

  app.get<{ Params: { id: string } }>('/v1/admin/subscriptions/:id', {
    schema: { tags: ['events'], summary: 'One subscription (what can be PUT back)', params, response: { 200: subscriptionViewSchema } }
  }, async (request) => subscriptionView(await found(request.params.id)))

  app.put<{ Params: { id: string }, Body: SubscriptionInput & { id?: string } }>('/v1/admin/subscriptions/:id', {
    schema: { tags: ['events'], summary: 'Replace a subscription (what GET returns can be sent back)', params, body: subscriptionReplace, problems: [409], response: { 200: subscriptionViewSchema } }
  }, async (request) => {
    const { id } = request.params
    if (request.body.id !== undefined && request.body.id !== id) throw new Conflict('The id in the body differs from the one in the path')
    const before = await found(id)
    const { errors, value } = await checkSubscription(request.body, rules)
    if (errors.length > 0) throw invalid(errors)
    const webhook = value.callbackUrl !== undefined && value.callbackUrl !== null
    // A pull subscription turned into a webhook gets its first secret (GET /secret to rotate; shown on rotation).
    const secrets = webhook && before.secrets.length === 0 ? signing.first(id).secrets : before.secrets
    const updated = await store.update(recordOf(id, value, secrets))
    if (updated === undefined) throw new NotFound(`Subscription ${id} does not exist`)
    app.events.targets.forget(id)
    const view = subscriptionView(updated)
    auditAdminChange(app, request, { entity: 'subscription', id, action: 'update', before: subscriptionView(before), after: view })
    if (updated.callbackUrl !== null && updated.enabled) await app.events.wake(id).catch(() => {})
    return view
  })

  app.delete<{ Params: { id: string } }>('/v1/admin/subscriptions/:id', {
    schema: { tags: ['events'], summary: 'Delete a subscription and its delivery records', params, response: { 204: deleted } }
  }, async (request, reply) => {
    const before = await found(request.params.id)
    await store.delete(request.params.id)
    app.events.targets.forget(request.params.id)
    auditAdminChange(app, request, { entity: 'subscription', id: request.params.id, action: 'delete', before: subscriptionView(before) })
    return await reply.code(204).send()
  })

  app.post<{ Params: { id: string }, Body: { overlapSeconds?: number } | undefined }>('/v1/admin/subscriptions/:id/secret', {
    schema: {
      tags: ['events'],
      summary: 'Rotate the signing secret: the new one is shown once; the old ones keep signing during the overlap',
      params,
      body: {
        type: 'object',
        additionalProperties: false,
        properties: { overlapSeconds: { type: 'integer', minimum: 0, maximum: 2_592_000 } }
      },
      // 409: a pull subscription has no signing secret
      problems: [409],
      response: { 200: rotatedSchema }
    }
  }, async (request, reply) => {
    const s = await found(request.params.id)
    if (s.callbackUrl === null) throw new Conflict(`Subscription ${s.id} is pulled by its subscriber: it has no signing secret`)
    const overlap = request.body?.overlapSeconds ?? app.config.events.secretOverlapS
    const { secrets, plain } = signing.rotate(s.id, s.secrets, overlap)
    const updated = await store.update({ ...s, secrets })
    if (updated === undefined) throw new NotFound(`Subscription ${s.id} does not exist`)
    app.events.targets.forget(s.id)
    const view = subscriptionView(updated)
    auditAdminChange(app, request, { entity: 'subscription', id: s.id, action: 'rotate-secret', after: { secrets: view.secrets } })
    void reply.header('cache-control', 'no-store')
    return { id: s.id, secret: plain, secrets: view.secrets }
  })

  app.get<{ Params: { id: string }, Querystring: ListQuery }>('/v1/admin/subscriptions/:id/deliveries', {
    schema: {
      tags: ['events'],
      summary: 'Delivery status of a subscription, newest event first, cursor-paginated',
      params,
      querystring: { ...deliverySearch, properties: { ...deliverySearch.properties, ...pageQuery(1000, 100) } },
      response: { 200: pageSchema(deliveryItem) }
    }
  }, async (request) => {
    await found(request.params.id)
    const { limit, cursor, ...search } = request.query
    const before = cursor !== undefined ? decodeEventCursor(cursor) : undefined
    if (cursor !== undefined && before === undefined) throw badCursor()
    const page = await searchDeliveries(app.db, request.params.id, search, limit !== undefined ? Number(limit) : 100, before)
    return { items: page.items, nextCursor: page.next !== null ? encodeEventCursor(page.next) : null }
  })

  app.post<{ Params: { id: string }, Body: DeliverySearch | undefined }>('/v1/admin/subscriptions/:id/replay', {
    schema: {
      tags: ['events'],
      summary: 'Replay deliveries matching a filter (default: the failed ones, the dead letters)',
      params,
      body: { ...deliverySearch, properties: { ...deliverySearch.properties, status: { type: 'string', enum: ['failed', 'delivered'] } } },
      // 409: a pull subscription is replayed by its subscriber (GET /v1/events from an earlier cursor)
      problems: [409],
      response: { 202: { type: 'object', required: ['replayed'], properties: { replayed: { type: 'integer', description: 'How many deliveries are pending again' } } } }
    }
  }, async (request, reply) => {
    const s = await found(request.params.id)
    if (s.callbackUrl === null) throw new Conflict(`Subscription ${s.id} is pulled: its subscriber replays by asking GET /v1/events from an earlier cursor`)
    const replayed = await replayDeliveries(app.db, s.id, request.body ?? {})
    auditAdminChange(app, request, { entity: 'subscription', id: s.id, action: 'replay', after: { replayed, filter: request.body ?? {} } })
    if (replayed > 0) await app.events.wake(s.id).catch(() => {})
    return await reply.code(202).send({ replayed })
  })
}
