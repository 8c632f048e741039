import type { ChainedEvent } from './canonical.js'

export interface Hop {
  hop: string
  at: string
  /** Milliseconds since the first hop of the trace. */
  sinceStartMs: number
  durationMs?: number
  eventId: string
  kind: string
  service?: string
  connector?: string
  [extra: string]: unknown
}

/** The hop an event stands for when it does not list its own (`details.hops`). */
const KIND_HOP: Record<string, string> = {
  lookup: 'responded',
  'delivery.accepted': 'queued',
  'delivery.attempted': 'connector.attempt',
  'delivery.delivered': 'delivered',
  'delivery.failed': 'failed',
  'delivery.refused': 'refused',
  'auth.failed': 'rejected',
  'admin.change': 'admin.change'
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000

/**
 * Every hop of one exchange in time order, from the events of its trace: events may list their own hops
 * (`details.hops: [{ hop, offsetMs, durationMs?, … }]`, offsets from the event time — a lookup lists received,
 * validated, each connector attempt and responded); other events are one hop each, named after their kind.
 */
export function traceHops (events: ChainedEvent[]): { startedAt: string | null, durationMs: number, hops: Hop[] } {
  const raw: Array<Omit<Hop, 'sinceStartMs' | 'at'> & { t: number, order: number }> = []
  for (const e of events) {
    const base = { eventId: e.id, kind: e.kind, service: e.service ?? undefined, connector: e.connector ?? undefined }
    const listed = Array.isArray(e.details?.hops) ? e.details.hops as Array<Record<string, unknown>> : undefined
    if (listed !== undefined && listed.length > 0) {
      for (const h of listed) {
        const { hop, offsetMs, ...extra } = h
        raw.push({ ...base, ...extra, hop: String(hop), t: e.at.getTime() + (typeof offsetMs === 'number' ? offsetMs : 0), order: raw.length })
      }
      continue
    }
    const attempt = e.details?.attempt
    const durationMs = e.durationMs ?? undefined
    // An attempt event is written when the attempt ends: it started durationMs earlier.
    const start = e.kind === 'delivery.attempted' && durationMs !== undefined ? e.at.getTime() - durationMs : e.at.getTime()
    raw.push({
      ...base,
      hop: KIND_HOP[e.kind] ?? e.kind,
      t: start,
      order: raw.length,
      durationMs,
      outcome: e.outcome,
      ...(attempt !== undefined ? { n: attempt } : {}),
      ...(e.upstreamStatus !== null ? { upstreamStatus: e.upstreamStatus } : {}),
      ...(e.httpStatus !== null && e.kind !== 'delivery.attempted' ? { status: e.httpStatus } : {})
    })
  }
  raw.sort((a, b) => a.t - b.t || a.order - b.order)
  const t0 = raw[0]?.t
  const hops = raw.map(({ t, order, ...h }) => ({ ...h, at: new Date(Math.round(t)).toISOString(), sinceStartMs: round(t - (t0 ?? t)) }) as Hop)
  const last = raw[raw.length - 1]?.t
  return { startedAt: t0 !== undefined ? new Date(t0).toISOString() : null, durationMs: t0 !== undefined && last !== undefined ? round(last - t0) : 0, hops }
}
