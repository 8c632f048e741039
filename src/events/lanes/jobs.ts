import type { JobsOptions, Queue } from 'bullmq'

export const LANE_QUEUE = 'event-lanes'

/**
 * A wake-up call for the delivery lane of one subscription: whoever runs it delivers what the subscription has
 * waiting (src/events/lanes/processor.ts). Ids only: events stay in PostgreSQL.
 */
export interface LaneJob { subscriptionId: string }

const OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 }
}

/**
 * Wakes the lanes of these subscriptions now, one job each in one Redis round trip. Extra wake-ups are harmless
 * (a lane with nothing to take ends at once; two lanes of one subscription take disjoint batches).
 */
export async function wakeLanes (queue: Queue<LaneJob>, subscriptionIds: readonly string[]): Promise<void> {
  if (subscriptionIds.length === 0) return
  await queue.addBulk(subscriptionIds.map((subscriptionId) => ({ name: 'lane', data: { subscriptionId }, opts: OPTIONS })))
}

/** Wakes one lane at `due` (a retry, a lease ending); one job per subscription and second. */
export async function wakeLaneAt (queue: Queue<LaneJob>, subscriptionId: string, due: Date): Promise<void> {
  const at = Math.ceil(due.getTime() / 1000) * 1000
  await queue.add('lane', { subscriptionId }, { ...OPTIONS, jobId: `lane-${subscriptionId}-at-${at}`, delay: Math.max(0, at - Date.now()) })
}
