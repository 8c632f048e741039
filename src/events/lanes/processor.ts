import type { Processor } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import type { OutboundAllowlist } from '../../connectors/allowlist.js'
import { auditDelivery } from '../../deliveries/audit.js'
import { retryDelay } from '../../deliveries/retry-policy.js'
import { claimBatch, finishBatch, nextDue, type EventClaim, type Outcome } from './claims.js'
import type { LaneJob } from './jobs.js'
import type { WebhookSender, SendResult } from './sender.js'
import type { LaneTarget, LaneTargets } from './targets.js'

export interface LaneSettings {
  /** Deliveries taken per claim, sent at once (per subject one at a time). */
  batch: number
  /** How long a claim holds its deliveries: longer than a send may take. */
  leaseMs: number
  /** A lane job hands over (re-queues itself) after this long, so every subscription gets its turn. */
  sliceMs: number
}

export interface LaneDeps {
  app: FastifyInstance
  targets: LaneTargets
  sender: WebhookSender
  allowlist: OutboundAllowlist
  settings: LaneSettings
  wake: (subscriptionId: string, due?: Date) => Promise<void>
}

function outcomeOf (c: EventClaim, r: SendResult, t: LaneTarget): Outcome {
  const base = { seq: c.seq, attempts: c.attempts, httpStatus: r.httpStatus, error: r.error, durationMs: r.durationMs }
  if (r.ok) return { ...base, status: 'delivered', nextAttemptAt: null, error: null }
  if (c.n >= t.policy.attempts) return { ...base, status: 'failed', nextAttemptAt: null }
  return { ...base, status: 'retrying', nextAttemptAt: new Date(Date.now() + retryDelay(c.n, t.policy)) }
}

const AUDIT_OUTCOME = { delivered: 'ok', retrying: 'retrying', failed: 'failed' } as const

/**
 * The delivery lane of one subscription: takes a batch of its waiting deliveries (oldest first, one per subject),
 * sends them at once as signed webhooks, records every outcome in one statement (delivered; retrying with backoff
 * and jitter; failed — a dead letter — after the policy's attempts), and goes on until nothing is left, then
 * arranges its own wake-up for the next retry due. PostgreSQL holds every state; a lane that dies leaves its
 * claims to expire and be taken again (the same webhook-id: receivers deduplicate on it). Each attempt is an
 * audit event with the event's subject hashes and no payload.
 */
export function laneProcessor (deps: LaneDeps): Processor<LaneJob> {
  const { app, settings } = deps
  return async function processLane (job) {
    const { subscriptionId } = job.data
    const target = await deps.targets.get(subscriptionId)
    if (target === undefined) return { skipped: 'no webhook subscription' }
    const outside = deps.allowlist.check(target.url.href)
    if (outside !== undefined) {
      app.log.warn({ subscriptionId, reason: outside }, 'subscription callback outside the outbound allowlist; not delivering')
      return { skipped: 'callback outside the allowlist' }
    }
    const until = Date.now() + settings.sliceMs
    let delivered = 0
    for (;;) {
      const batch = await claimBatch(app.db, subscriptionId, settings.batch, settings.leaseMs)
      if (batch.length === 0) break
      const sent = await Promise.all(batch.map(async (c) => await deps.sender.send(target.url, target.secrets, c.id, c.body)))
      const outcomes = batch.map((c, i) => outcomeOf(c, sent[i], target))
      const recorded = await finishBatch(app.db, subscriptionId, outcomes)
      batch.forEach((c, i) => {
        const o = outcomes[i]
        if (!recorded.has(c.seq)) return
        if (o.status === 'delivered') delivered++
        auditDelivery(app, {
          kind: 'event.delivery',
          outcome: AUDIT_OUTCOME[o.status],
          clientId: target.clientId,
          purpose: target.purpose,
          service: c.type,
          connector: subscriptionId,
          ...(c.caseId !== null ? { caseId: c.caseId } : {}),
          subjectHashes: c.subjectHashes,
          ...(o.httpStatus !== null ? { upstreamStatus: o.httpStatus } : {}),
          durationMs: o.durationMs,
          ...(o.status !== 'delivered' ? { errorCode: o.httpStatus !== null ? `HTTP_${o.httpStatus}` : 'NOT_DELIVERED' } : {}),
          details: { eventId: c.id, subscriptionId, attempt: c.n, mode: 'webhook' }
        })
        if (o.status === 'failed') app.log.warn({ subscriptionId, eventId: c.id, attempts: c.n, error: o.error }, 'event delivery failed: dead letter')
      })
      if (Date.now() > until) {
        await deps.wake(subscriptionId)
        return { delivered, handedOver: true }
      }
    }
    const due = await nextDue(app.db, subscriptionId)
    if (due !== null) await deps.wake(subscriptionId, due)
    return { delivered }
  }
}
