import { DelayedError, UnrecoverableError, type Job, type Processor, type Queue } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import { UpstreamFailure } from '../connectors/contract.js'
import { formatTraceparent, type TraceIds } from '../tracing/trace-context.js'
import { tracedProcessor } from '../tracing/traced-job.js'
import { auditDelivery } from './audit.js'
import {
  claimDeliveries, claimDelivery, finishDelivered, finishDeliveredMany, finishFailed, whyUnclaimed,
  type Claim, type ClaimRequest, type Delivered
} from './claims.js'
import { coalesce } from './coalesce.js'
import type { DeliveryJob } from './jobs.js'
import { maybeApplied, retryDelay, retryPolicy, type RetryPolicy } from './retry-policy.js'

export interface ProcessorSettings {
  defaults: RetryPolicy
  /** Backstop wait of a delivery whose predecessor is still on its way (it is promoted as soon as that one is delivered). */
  orderWaitMs: number
  /** Wait of a delivery whose predecessor is a dead letter (promoted when an admin replays it successfully). */
  blockedWaitMs: number
}

/**
 * What a delivery connector receives: the dossier or the step as accepted, whether the portal already holds the
 * dossier (`exists`: send it as an update), and whether an earlier attempt may have reached the portal
 * (`inDoubt`: find out before sending again, so that nothing is applied twice).
 */
export type DeliveryPayload =
  | { kind: 'dossier', dossier: Record<string, unknown>, exists: boolean, inDoubt: boolean }
  | { kind: 'progress', dossierCode: string, step: Record<string, unknown>, inDoubt: boolean }

/** What a connector answers for a delivery: applied by this call, or found already applied. */
export interface DeliveryAck { applied: 'sent' | 'already', upstreamCode?: string }

/** Moves the job to delayed for `ms` (not an attempt of BullMQ's): a wait for order, a lease, a backoff. */
export async function postpone (job: Job, token: string | undefined, ms: number): Promise<never> {
  await job.moveToDelayed(Date.now() + Math.max(1, Math.round(ms)), token)
  throw new DelayedError()
}

function payloadOf (c: Claim): DeliveryPayload {
  return c.service === 'dossier.sync'
    ? { kind: 'dossier', dossier: c.payload, exists: c.onPortal, inDoubt: c.wasInDoubt }
    : { kind: 'progress', dossierCode: c.dossierCode, step: c.payload, inDoubt: c.wasInDoubt }
}

const round = (ms: number): number => Math.round(ms * 10) / 10

/**
 * The delivery processor. Order per dossier, the lease and the "applied" marker live in PostgreSQL (claims.ts);
 * waits (order, circuit open, backoff) move the job to delayed without using BullMQ attempts; a permanent error
 * or the last attempt makes the delivery `failed` and the job an UnrecoverableError (the dead letter).
 */
export function deliveryProcessor (app: FastifyInstance, queue: Queue<DeliveryJob>, settings: ProcessorSettings): Processor<DeliveryJob> {
  const promote = async (nextId: string): Promise<void> => {
    const next = await queue.getJob(nextId)
    if (next !== undefined && await next.isDelayed()) await next.promote().catch(() => {})
  }

  // The claims and the "delivered" records of the jobs running at the same time share one statement each (one
  // round trip and one commit for the group instead of one per job); each job still gets its own answer.
  const take = coalesce<ClaimRequest, Claim | undefined>(
    async (reqs) => await claimDeliveries(app.db, reqs),
    async (req) => await claimDelivery(app.db, req.id, req.leaseMs),
    { keysOf: (req) => [req.id] })
  const delivered = coalesce<Delivered, { ok: boolean, nextId?: string }>(
    async (items) => await finishDeliveredMany(app.db, items),
    async (item) => await finishDelivered(app.db, item.claim, item.applied, item.result),
    { keysOf: (item) => [item.claim.id] })

  // Each job runs in a CONSUMER span whose parent is the accepting request's span (with the OpenTelemetry SDK on):
  // the worker's spans and its portal call join the request's trace.
  return tracedProcessor((job) => `delivery ${job.data.service}`, processJob)

  async function processJob (job: Job<DeliveryJob>, token: string | undefined, hop: TraceIds): Promise<unknown> {
    const { deliveryId, service } = job.data
    const log = app.log.child({ deliveryId, dossierCode: job.data.dossierCode, jobId: job.id })
    const instance = app.connectors.route(service)
    if (instance === undefined) {
      log.warn({ service }, 'no enabled connector serves this delivery; waiting')
      return await postpone(job, token, settings.blockedWaitMs)
    }
    if (instance.circuit === 'open') return await postpone(job, token, instance.options.breaker.resetTimeoutMs * (0.5 + Math.random() / 2))
    const policy = retryPolicy(instance.record.config, settings.defaults)

    const claim = await take({ id: deliveryId, leaseMs: instance.options.deadlineMs + 5000 })
    if (claim === undefined) {
      const why = await whyUnclaimed(app.db, deliveryId)
      switch (why.why) {
        // Behind an earlier delivery of the dossier: promoted when it is delivered; until then, wait for it to be
        // replayed (a dead letter), for its next attempt (retrying), or a short while.
        case 'blocked': return await postpone(job, token, why.byFailed ? settings.blockedWaitMs : (why.blockerNextMs ?? 0) + settings.orderWaitMs)
        case 'leased': return await postpone(job, token, why.remainingMs + 100)
        default: return { skipped: why.why }
      }
    }

    // The portal call carries this hop's trace context (the job's span with the SDK on, a child of the accepting
    // request's; a sampled call gets its own CLIENT span, see tracing/client-span.ts).
    const headers = { traceparent: formatTraceparent(hop) }
    const common = { traceId: hop.traceId, spanId: hop.spanId, clientId: claim.clientId, caseId: claim.dossierCode, service, connector: instance.id }
    const started = performance.now()
    let ack: DeliveryAck
    try {
      ack = await instance.deliver(service, payloadOf(claim), { idempotent: false, headers, log }) as DeliveryAck
    } catch (err) {
      const failure = err instanceof UpstreamFailure
        ? err
        : new UpstreamFailure('error', `connector failed: ${(err as Error).message}`, { cause: err })
      const durationMs = round(performance.now() - started)
      const result = { durationMs, upstreamStatus: failure.upstreamStatus, upstreamCode: failure.upstreamCode, error: `${failure.kind}: ${failure.message}` }
      const inDoubt = claim.wasInDoubt || maybeApplied(failure)
      const retryable = failure.retryable || failure.kind === 'circuit_open'
      const details = { deliveryId, attempt: claim.n, kind: failure.kind, inDoubt }
      if (!retryable || claim.n >= policy.attempts) {
        if (!await finishFailed(app.db, claim, 'failed', inDoubt, null, result)) return { skipped: 'taken-over' }
        log.warn({ attempt: claim.n, kind: failure.kind, upstreamCode: failure.upstreamCode }, 'delivery failed: dead letter')
        auditDelivery(app, { kind: 'delivery.attempted', outcome: 'failed', ...common, durationMs, upstreamStatus: failure.upstreamStatus, errorCode: failure.upstreamCode, details })
        auditDelivery(app, { kind: 'delivery.failed', outcome: 'failed', ...common, errorCode: failure.upstreamCode ?? failure.kind, details })
        throw new UnrecoverableError(`${failure.kind}: ${failure.message}`)
      }
      const delay = retryDelay(claim.n, policy)
      if (!await finishFailed(app.db, claim, 'retrying', inDoubt, new Date(Date.now() + delay), result)) return { skipped: 'taken-over' }
      log.info({ attempt: claim.n, kind: failure.kind, delayMs: delay }, 'delivery attempt failed; will retry')
      auditDelivery(app, { kind: 'delivery.attempted', outcome: 'retrying', ...common, durationMs, upstreamStatus: failure.upstreamStatus, errorCode: failure.upstreamCode, details })
      return await postpone(job, token, delay)
    }

    const durationMs = round(performance.now() - started)
    const done = await delivered({ claim, applied: ack.applied, result: { durationMs, upstreamCode: ack.upstreamCode } })
    if (!done.ok) return { skipped: 'taken-over' }
    const details = { deliveryId, attempt: claim.n, applied: ack.applied }
    auditDelivery(app, { kind: 'delivery.attempted', outcome: 'ok', ...common, durationMs, details })
    auditDelivery(app, { kind: 'delivery.delivered', outcome: 'ok', ...common, durationMs, details })
    if (done.nextId !== undefined) await promote(done.nextId).catch((err) => log.warn({ err: err.message }, 'could not promote the next delivery'))
    return { applied: ack.applied, attempt: claim.n }
  }
}
