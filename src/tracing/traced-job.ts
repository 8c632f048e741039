import { DelayedError, type Job, type Processor } from 'bullmq'
import { withJobTrace, type TraceIds } from './trace-context.js'

/**
 * A BullMQ processor that runs each job inside the trace of the request that queued it (withJobTrace). A job
 * postponed (moved to delayed: DelayedError) is not an error of its span: the error passes around the span to BullMQ.
 */
export function tracedProcessor<J extends { traceparent?: string }> (name: (job: Job<J>) => string,
  run: (job: Job<J>, token: string | undefined, hop: TraceIds) => Promise<unknown>): Processor<J> {
  return async function processTraced (job, token) {
    let postponed: DelayedError | undefined
    const out = await withJobTrace(job.data.traceparent, name(job), async (hop) => {
      try {
        return await run(job, token, hop)
      } catch (err) {
        if (!(err instanceof DelayedError)) throw err
        postponed = err
        return undefined
      }
    })
    if (postponed !== undefined) throw postponed
    return out
  }
}
