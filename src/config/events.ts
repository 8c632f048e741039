import type { Env, Read } from './env.js'

/** The settings of events to provincial systems (docs/events.md), as declared to env-schema. */
export const EVENTS_ENV = {
  EVENTS_PULL_INTERVAL_MS: { type: 'integer', minimum: 10, default: 2000 },
  EVENTS_PULL_LIMIT: { type: 'integer', minimum: 1, maximum: 5000, default: 500 },
  EVENTS_SOURCE_LEASE_MS: { type: 'integer', minimum: 1000, default: 30000 },
  EVENTS_ADMIN_UNITS_SINCE: { type: 'string', pattern: '^(\\d{4}-\\d{2}-\\d{2})?$', default: '' },
  EVENTS_LANES: { type: 'integer', minimum: 1, default: 64 },
  EVENTS_BATCH: { type: 'integer', minimum: 1, maximum: 1000, default: 64 },
  EVENTS_CONNECTIONS: { type: 'integer', minimum: 1, maximum: 1024, default: 32 },
  EVENTS_DELIVERY_TIMEOUT_MS: { type: 'integer', minimum: 100, default: 10000 },
  EVENTS_RETRY_ATTEMPTS: { type: 'integer', minimum: 1, default: 15 },
  EVENTS_RETRY_BASE_MS: { type: 'integer', minimum: 0, default: 10000 },
  EVENTS_RETRY_MAX_MS: { type: 'integer', minimum: 0, default: 3600000 },
  EVENTS_RETRY_MAX_ATTEMPTS: { type: 'integer', minimum: 1, default: 50 },
  EVENTS_RETRY_MIN_BASE_MS: { type: 'integer', minimum: 0, default: 1000 },
  EVENTS_RETRY_MAX_DELAY_MS: { type: 'integer', minimum: 0, default: 86400000 },
  EVENTS_SWEEP_INTERVAL_MS: { type: 'integer', minimum: 100, default: 10000 },
  EVENTS_SWEEP_GRACE_MS: { type: 'integer', minimum: 0, default: 10000 },
  EVENTS_PUSH_TOLERANCE_S: { type: 'integer', minimum: 1, maximum: 3600, default: 300 },
  EVENTS_SECRET_OVERLAP_S: { type: 'integer', minimum: 0, maximum: 2592000, default: 86400 },
  EVENTS_LONG_POLL_MAX_S: { type: 'integer', minimum: 0, maximum: 300, default: 30 }
} as const

/** Events to provincial systems: sources, webhook lanes, retries and their bounds, push, pull. */
export interface EventsConfig {
  pullIntervalMs: number
  pullLimit: number
  sourceLeaseMs: number
  /** Code-table changes effective after this date are published; unset: after the day the gateway first ran. */
  adminUnitsSince?: string
  lanes: number
  batch: number
  connections: number
  deliveryTimeoutMs: number
  retry: { attempts: number, baseDelayMs: number, maxDelayMs: number, bounds: { maxAttempts: number, minBaseDelayMs: number, maxDelayMs: number } }
  sweepIntervalMs: number
  sweepGraceMs: number
  pushToleranceS: number
  secretOverlapS: number
  longPollMaxS: number
}

export function eventsConfig (e: Env, str: Read): EventsConfig {
  return {
    pullIntervalMs: e.EVENTS_PULL_INTERVAL_MS as number,
    pullLimit: e.EVENTS_PULL_LIMIT as number,
    sourceLeaseMs: e.EVENTS_SOURCE_LEASE_MS as number,
    adminUnitsSince: str('EVENTS_ADMIN_UNITS_SINCE'),
    lanes: e.EVENTS_LANES as number,
    batch: e.EVENTS_BATCH as number,
    connections: e.EVENTS_CONNECTIONS as number,
    deliveryTimeoutMs: e.EVENTS_DELIVERY_TIMEOUT_MS as number,
    retry: {
      attempts: e.EVENTS_RETRY_ATTEMPTS as number,
      baseDelayMs: e.EVENTS_RETRY_BASE_MS as number,
      maxDelayMs: e.EVENTS_RETRY_MAX_MS as number,
      bounds: {
        maxAttempts: e.EVENTS_RETRY_MAX_ATTEMPTS as number,
        minBaseDelayMs: e.EVENTS_RETRY_MIN_BASE_MS as number,
        maxDelayMs: e.EVENTS_RETRY_MAX_DELAY_MS as number
      }
    },
    sweepIntervalMs: e.EVENTS_SWEEP_INTERVAL_MS as number,
    sweepGraceMs: e.EVENTS_SWEEP_GRACE_MS as number,
    pushToleranceS: e.EVENTS_PUSH_TOLERANCE_S as number,
    secretOverlapS: e.EVENTS_SECRET_OVERLAP_S as number,
    longPollMaxS: e.EVENTS_LONG_POLL_MAX_S as number
  }
}
