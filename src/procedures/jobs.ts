import type { JobsOptions, Queue } from 'bullmq'
import { requeueJob } from '../deliveries/jobs.js'

export const PROCEDURE_QUEUE = 'procedures'

/** A step job: ids only (the filing stays in PostgreSQL); the case's trace context for the worker to continue. */
export interface StepJob { caseId: string, stepId: string, traceparent?: string }

/** Attempts, backoff and the failure of a step are decided from PostgreSQL; BullMQ's cover the processor failing around them. */
const OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  removeOnComplete: true,
  removeOnFail: { age: 30 * 24 * 3600 }
}

export const stepJobId = (caseId: string, stepId: string): string => `${caseId}.${stepId}`

/** Adds the jobs of steps that became ready (one Redis round trip); an existing job of a step is left as it is. */
export async function enqueueSteps (queue: Queue<StepJob>, jobs: StepJob[]): Promise<void> {
  if (jobs.length === 0) return
  await queue.addBulk(jobs.map((data) => ({ name: 'step', data, opts: { ...OPTIONS, jobId: stepJobId(data.caseId, data.stepId) } })))
}

/** Makes sure the job of a step will run (after a supplement, an admin retry, or when the sweeper finds it missing). */
export async function requeueStep (queue: Queue<StepJob>, job: StepJob): Promise<void> {
  await requeueJob(queue as Queue, stepJobId(job.caseId, job.stepId), async () => { await enqueueSteps(queue, [job]) })
}
