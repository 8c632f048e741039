import type { Job, Processor } from 'bullmq'
import { getAt } from '../connectors/json-pointer.js'
import { UpstreamFailure } from '../connectors/contract.js'
import { getService, type ServiceDefinition } from '../catalog/services.js'
import { subjectValues } from '../catalog/subjects.js'
import { formatTraceparent, type TraceIds } from '../tracing/trace-context.js'
import { tracedProcessor } from '../tracing/traced-job.js'
import type { AuditOutcome } from '../audit/types.js'
import { auditDelivery } from '../deliveries/audit.js'
import { postpone } from '../deliveries/processor.js'
import { maybeApplied, retryDelay, type RetryPolicy } from '../deliveries/retry-policy.js'
import { claimStep, finishAttempt, scheduleRetry, whyUnclaimed, type StepClaim } from './claims.js'
import { parseSource, type StepDefinition } from './definition.js'
import type { ProcedureEngine } from './engine.js'
import type { StepJob } from './jobs.js'
import type { Failure } from './state.js'

export interface StepAnswer {
  stepKey: string
  result: 'completed' | 'supplement-required' | 'refused'
  reference?: string
  outputs?: Record<string, unknown>
  missing?: Array<{ code: string, name: string }>
  reason?: string
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 2000, maxDelayMs: 600_000 }
const round1 = (ms: number): number => Math.round(ms * 10) / 10

/** The key that makes a step call idempotent at the national system: one per case, step and round. */
export const stepKey = (caseId: string, stepId: string, round: number): string => `${caseId}.${stepId}.${round}`

/** The request of a step, from its input mappings: the filing, the case, the outputs of earlier steps. */
export function stepRequest (step: StepDefinition, c: Pick<StepClaim, 'caseId' | 'filing' | 'outputs' | 'dossierCode' | 'filedAt' | 'agencyCode' | 'provinceCode'>): Record<string, unknown> {
  const kase = { id: c.caseId, dossierCode: c.dossierCode, filedAt: c.filedAt.toISOString(), agencyCode: c.agencyCode, provinceCode: c.provinceCode }
  const body: Record<string, unknown> = {}
  for (const [field, src] of Object.entries(step.inputs)) {
    let value: unknown
    if (typeof src !== 'string') value = src.const
    else {
      const p = parseSource(src)
      value = getAt(p.from === 'filing' ? c.filing : p.from === 'case' ? kase : c.outputs[p.step ?? ''], p.pointer)
    }
    if (value !== undefined) body[field] = value
  }
  return body
}

export interface StepSettings {
  /** Wait when no connector serves the step's service, or its circuit is open. */
  blockedWaitMs: number
}

/**
 * The step processor: claim in PostgreSQL (lease, attempt, doubt), inputs from the filing and the earlier steps'
 * outputs, the call with its step key (so that a retry after a crash never registers a birth twice), then the
 * answer recorded as a transition of the case. Waits (lease, backoff) move the job to delayed.
 */
export function stepProcessor (engine: ProcedureEngine, settings: StepSettings): Processor<StepJob> {
  const app = engine.app

  return tracedProcessor((job) => `procedure step ${job.data.stepId}`, run)

  async function run (job: Job<StepJob>, token: string | undefined, hop: TraceIds): Promise<unknown> {
    const { caseId, stepId } = job.data
    const log = app.log.child({ caseId, stepId, jobId: job.id })
    const claim = await claimStep(app.db, caseId, stepId, app.config.delivery.lockMs + 5000)
    if (claim === undefined) {
      const why = await whyUnclaimed(app.db, caseId, stepId)
      if (why.why === 'wait') return await postpone(job, token, why.ms)
      return { skipped: why.why }
    }
    const group = await engine.groups.version(claim.groupId, claim.groupVersion)
    const step = group.step(stepId)
    const service = getService(step.service) as ServiceDefinition
    const policy: RetryPolicy = { ...DEFAULT_RETRY, ...step.onFailure?.retry }
    const key = stepKey(caseId, stepId, claim.round)
    const body = stepRequest(step, claim)
    const started = performance.now()
    const audit = (outcome: AuditOutcome, extra: { connector?: string, upstreamStatus?: number, errorCode?: string, result?: string, durationMs: number }): void => {
      auditDelivery(app, {
        kind: 'procedure.step',
        outcome,
        traceId: hop.traceId,
        spanId: hop.spanId,
        purpose: step.procedureCode,
        caseId,
        service: step.service,
        connector: extra.connector,
        durationMs: extra.durationMs,
        upstreamStatus: extra.upstreamStatus,
        errorCode: extra.errorCode,
        subjects: subjectValues(service, body),
        details: {
          step: stepId,
          round: claim.round,
          attempt: claim.n,
          ...(extra.result !== undefined ? { result: extra.result } : {}),
          hops: [{ hop: 'step.call', offsetMs: -round1(extra.durationMs), durationMs: round1(extra.durationMs), step: stepId, dependsOn: [...group.deps.get(stepId) ?? []], n: claim.n, outcome: extra.result ?? outcome }]
        }
      })
    }

    const checked = engine.validator.validate(service.requestSchemaId, body)
    if (!checked.ok) {
      const reason = `inputs do not match ${service.requestSchemaId}: ${checked.errors.slice(0, 5).map((e) => `${e.path} ${e.message}`).join('; ')}`
      await finish(claim, 'invalid-input', reason, { durationMs: 0, error: reason })
      audit('invalid', { durationMs: 0, errorCode: 'INVALID_INPUT' })
      return { failed: 'invalid-input' }
    }

    const instance = app.connectors.route(step.service)
    let answer: StepAnswer
    let upstreamStatus: number | undefined
    try {
      if (instance === undefined) throw new UpstreamFailure('unavailable', `no enabled connector serves ${step.service}`)
      if (instance.circuit === 'open') throw new UpstreamFailure('circuit_open', `circuit of ${instance.id} is open`, { retryable: true })
      const data = await instance.lookup(step.service, body, {
        idempotent: false,
        headers: { traceparent: formatTraceparent(hop), 'idempotency-key': key, 'x-purpose': step.procedureCode, 'x-case-id': caseId },
        log
      })
      const shape = engine.validator.validate(service.responseSchemaId, data)
      if (!shape.ok) throw new UpstreamFailure('error', `answer does not match ${service.responseSchemaId}`, { retryable: false, upstreamStatus: 200 })
      answer = data as StepAnswer
      upstreamStatus = 200
    } catch (err) {
      const failure = err instanceof UpstreamFailure ? err : new UpstreamFailure('error', `connector failed: ${(err as Error).message}`, { cause: err })
      const durationMs = performance.now() - started
      const error = `${failure.kind}: ${failure.message}`
      const common = { connector: instance?.id, upstreamStatus: failure.upstreamStatus, errorCode: failure.upstreamCode ?? failure.kind, durationMs }
      // 4xx other than 408/429: the system refused what was sent; the same key would get the same answer
      if (failure.kind === 'rejected' || failure.kind === 'not_found') {
        await finish(claim, 'refused', error, { durationMs, upstreamStatus: failure.upstreamStatus, error })
        audit('failed', { ...common, result: 'refused' })
        return { failed: 'refused' }
      }
      if (failure.retryable && claim.n < policy.attempts) {
        const delay = failure.kind === 'circuit_open' || instance === undefined ? settings.blockedWaitMs : retryDelay(claim.n, policy)
        await finishAttempt(app.db, claim.attempt, 'retry', { durationMs, upstreamStatus: failure.upstreamStatus, error })
        if (!await scheduleRetry(app.db, claim, new Date(Date.now() + delay), claim.wasInDoubt || maybeApplied(failure), error)) return { skipped: 'taken-over' }
        log.info({ attempt: claim.n, kind: failure.kind, delayMs: delay }, 'step attempt failed; will retry')
        audit('retrying', common)
        return await postpone(job, token, delay)
      }
      await finish(claim, 'exhausted', error, { durationMs, upstreamStatus: failure.upstreamStatus, error })
      audit('failed', { ...common, result: 'exhausted' })
      return { failed: 'exhausted' }
    }
    const durationMs = performance.now() - started
    await finish(claim, answer, answer.reason ?? '', { durationMs, upstreamStatus })
    audit(answer.result === 'completed' ? 'ok' : answer.result === 'refused' ? 'failed' : 'invalid', { connector: instance.id, upstreamStatus, result: answer.result, durationMs })
    return { result: answer.result, attempt: claim.n }
  }

  /** Records an answer (or a failure for good) as a transition of the case; a step taken over meanwhile keeps its new holder's. */
  async function finish (claim: StepClaim, outcome: StepAnswer | Failure, reason: string, r: { durationMs: number, upstreamStatus?: number, error?: string }): Promise<void> {
    await engine.transact(claim.caseId, async (lc) => {
      const s = lc.step(claim.stepId)
      const attemptOutcome = typeof outcome === 'string' ? (outcome === 'refused' ? 'refused' : 'failed') : outcome.result
      if (s.status !== 'running' || s.current_attempt !== claim.attempt) {
        await finishAttempt(lc.db, claim.attempt, 'discarded', { ...r, error: `the step is ${s.status} now` })
        return
      }
      await finishAttempt(lc.db, claim.attempt, attemptOutcome, r)
      const def = lc.group.step(claim.stepId)
      if (typeof outcome === 'string') return await engine.fail(lc, claim.stepId, outcome, reason)
      if (outcome.result === 'completed') {
        await lc.set(claim.stepId, { status: 'completed', outputs: outcome.outputs ?? {}, in_doubt: false, lease_until: null, finished_at: new Date(), last_error: null })
        lc.toPortal(claim.stepId, 9, 'done', `Đã xử lý xong: ${def.title}${outcome.reference !== undefined ? ` (${outcome.reference})` : ''}`)
        lc.toPortal(claim.stepId, 10, 'returned', 'Đã trả kết quả điện tử')
      } else if (outcome.result === 'supplement-required' && def.onFailure?.incomplete !== 'fail') {
        const until = engine.calendar.deadline(new Date(), def.onFailure?.supplementWorkingDays ?? 7)
        await lc.set(claim.stepId, { status: 'awaiting-supplement', missing: JSON.stringify(outcome.missing ?? []), in_doubt: false, lease_until: null, next_attempt_at: until })
        lc.toPortal(claim.stepId, 5, 'supplement', `Yêu cầu bổ sung: ${(outcome.missing ?? []).map((m) => m.name).join(', ')}`.slice(0, 4000), until)
      } else {
        await engine.fail(lc, claim.stepId, 'refused', outcome.reason ?? (outcome.result === 'supplement-required' ? 'documents missing' : 'refused'))
      }
    })
  }
}
