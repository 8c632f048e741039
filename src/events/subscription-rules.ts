import { PRE_REFORM_LAST_DAY, todayInVietnam, type AdminUnits, type Level } from '../admin-units/index.js'
import type { OutboundAllowlist } from '../connectors/allowlist.js'
import type { ProblemDetail } from '../plugins/problem.js'
import type { EventCatalogue } from './catalogue.js'
import type { SubscriptionInput } from './subscriptions.js'

/** The gateway's retry policy for webhooks (defaults) and the bounds a subscription's own policy must keep. */
export interface RetrySettings {
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
  bounds: { maxAttempts: number, minBaseDelayMs: number, maxDelayMs: number }
}

export interface SubscriptionRulesDeps {
  allowlist: OutboundAllowlist
  catalogue: EventCatalogue
  units: AdminUnits
  retry: RetrySettings
  /** Whether a client with the role `system` exists (the subscriber). */
  isSystemClient: (id: string) => Promise<boolean>
}

export interface CheckedSubscription extends SubscriptionInput {
  retryPolicy: { attempts: number, baseDelayMs: number, maxDelayMs: number }
}

/** Why a code is not one of today's units: what it was, and what it is now. */
function notToday (units: AdminUnits, level: Level, code: string): string {
  const old = units.get(code, level, PRE_REFORM_LAST_DAY)
  const now = old?.successors.map((s) => s.unit.code) ?? []
  if (old?.unit != null && now.length > 0) {
    return `is not a ${level} code today (it was ${old.unit.fullName} until 2025-06-30; today: ${now.join(', ')}); give today's code`
  }
  return `is not a ${level} code today`
}

/**
 * The rules a subscription passes, whichever way it comes: a subscriber that is a system client, known event
 * types, filters in today's units (an old code is refused with its successors named), the callback URL inside the
 * outbound allowlist, a declared purpose, and a retry policy within the admin's bounds (defaults filled in).
 */
export async function checkSubscription (input: SubscriptionInput, deps: SubscriptionRulesDeps): Promise<{ errors: ProblemDetail[], value: CheckedSubscription }> {
  const errors: ProblemDetail[] = []
  if (!await deps.isSystemClient(input.clientId)) {
    errors.push({ path: '/clientId', message: 'is not a client with the role system: register the subscriber\'s system first' })
  }
  input.eventTypes.forEach((t, i) => {
    if (deps.catalogue.get(t) === undefined) errors.push({ path: `/eventTypes/${i}`, message: `unknown event type "${t}"` })
  })
  const today = todayInVietnam()
  const f = input.filter ?? {}
  f.provinces?.forEach((p, i) => {
    if (deps.units.get(p, 'province', today)?.unit == null) errors.push({ path: `/filter/provinces/${i}`, message: `${p} ${notToday(deps.units, 'province', p)}` })
  })
  f.communes?.forEach((c, i) => {
    if (deps.units.get(c, 'commune', today)?.unit == null) errors.push({ path: `/filter/communes/${i}`, message: `${c} ${notToday(deps.units, 'commune', c)}` })
  })
  if (input.callbackUrl !== undefined && input.callbackUrl !== null) {
    const reason = deps.allowlist.check(input.callbackUrl)
    if (reason !== undefined) errors.push({ path: '/callbackUrl', message: reason })
  }
  const { retry } = deps
  const policy = {
    attempts: input.retryPolicy?.attempts ?? retry.attempts,
    baseDelayMs: input.retryPolicy?.baseDelayMs ?? retry.baseDelayMs,
    maxDelayMs: input.retryPolicy?.maxDelayMs ?? retry.maxDelayMs
  }
  if (policy.attempts < 1 || policy.attempts > retry.bounds.maxAttempts) {
    errors.push({ path: '/retryPolicy/attempts', message: `must be between 1 and ${retry.bounds.maxAttempts} (the admin's bound)` })
  }
  if (policy.baseDelayMs < retry.bounds.minBaseDelayMs) {
    errors.push({ path: '/retryPolicy/baseDelayMs', message: `must be at least ${retry.bounds.minBaseDelayMs} (the admin's bound)` })
  }
  if (policy.maxDelayMs > retry.bounds.maxDelayMs || policy.maxDelayMs < policy.baseDelayMs) {
    errors.push({ path: '/retryPolicy/maxDelayMs', message: `must be between baseDelayMs and ${retry.bounds.maxDelayMs} (the admin's bound)` })
  }
  return { errors, value: { ...input, filter: f, retryPolicy: policy } }
}
