/** Per-instance runtime settings, common to every connector type (`config.runtime`), with their defaults. */
export interface RuntimeOptions {
  connections: number
  connectTimeoutMs: number
  headersTimeoutMs: number
  bodyTimeoutMs: number
  /** Whole-call budget including retries. */
  deadlineMs: number
  retries: { attempts: number, baseDelayMs: number, maxDelayMs: number }
  breaker: { errorThresholdPercentage: number, resetTimeoutMs: number, volumeThreshold: number }
  /** Bulkhead: calls in flight at most, calls waiting at most, and how long one may wait. */
  bulkhead: { maxConcurrent: number, maxQueued: number, queueTimeoutMs: number }
}

export const DEFAULT_RUNTIME: RuntimeOptions = {
  connections: 64,
  connectTimeoutMs: 2000,
  headersTimeoutMs: 5000,
  bodyTimeoutMs: 5000,
  deadlineMs: 10_000,
  retries: { attempts: 2, baseDelayMs: 100, maxDelayMs: 1000 },
  breaker: { errorThresholdPercentage: 50, resetTimeoutMs: 10_000, volumeThreshold: 10 },
  bulkhead: { maxConcurrent: 128, maxQueued: 256, queueTimeoutMs: 1000 }
}

export const runtimeOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    connections: { type: 'integer', minimum: 1, maximum: 1024 },
    connectTimeoutMs: { type: 'integer', minimum: 50, maximum: 60_000 },
    headersTimeoutMs: { type: 'integer', minimum: 50, maximum: 300_000 },
    bodyTimeoutMs: { type: 'integer', minimum: 50, maximum: 300_000 },
    deadlineMs: { type: 'integer', minimum: 50, maximum: 600_000 },
    retries: {
      type: 'object',
      additionalProperties: false,
      properties: {
        attempts: { type: 'integer', minimum: 0, maximum: 10 },
        baseDelayMs: { type: 'integer', minimum: 0, maximum: 60_000 },
        maxDelayMs: { type: 'integer', minimum: 0, maximum: 600_000 }
      }
    },
    breaker: {
      type: 'object',
      additionalProperties: false,
      properties: {
        errorThresholdPercentage: { type: 'integer', minimum: 1, maximum: 100 },
        resetTimeoutMs: { type: 'integer', minimum: 100, maximum: 3_600_000 },
        volumeThreshold: { type: 'integer', minimum: 1, maximum: 10_000 }
      }
    },
    bulkhead: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxConcurrent: { type: 'integer', minimum: 1, maximum: 10_000 },
        maxQueued: { type: 'integer', minimum: 0, maximum: 100_000 },
        queueTimeoutMs: { type: 'integer', minimum: 1, maximum: 60_000 }
      }
    }
  }
} as const

export function runtimeOptions (raw: unknown): RuntimeOptions {
  const r = (raw ?? {}) as Partial<RuntimeOptions>
  return {
    ...DEFAULT_RUNTIME,
    ...r,
    retries: { ...DEFAULT_RUNTIME.retries, ...r.retries },
    breaker: { ...DEFAULT_RUNTIME.breaker, ...r.breaker },
    bulkhead: { ...DEFAULT_RUNTIME.bulkhead, ...r.bulkhead }
  }
}
