import type { DeliveryCheck } from './check.js'

export interface ChaosEvent { at: number, what: string, tookMs?: number }

/** Outcomes grouped by kind: `{ lookup: { '200': n, '503 CIRCUIT_OPEN': n } }`. */
export function byKind (outcomes: Map<string, number>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {}
  for (const [key, n] of [...outcomes].sort(([a], [b]) => a < b ? -1 : 1)) {
    const [kind, ...rest] = key.split(' ')
    out[kind] ??= {}
    out[kind][rest.join(' ')] = n
  }
  return out
}

/** Requests per window of `size` seconds: sent, 2xx/3xx, 4xx/5xx, no answer. */
export function windows (seconds: Array<{ sent: number, ok: number, errors: number, noAnswer: number }>, size: number): string[] {
  const rows: string[] = []
  for (let i = 0; i < seconds.length; i += size) {
    const w = seconds.slice(i, i + size).reduce((s, x) => ({ sent: s.sent + x.sent, ok: s.ok + x.ok, errors: s.errors + x.errors, noAnswer: s.noAnswer + x.noAnswer }), { sent: 0, ok: 0, errors: 0, noAnswer: 0 })
    rows.push(`| ${String(i).padStart(3)}–${String(i + size).padEnd(3)} s | ${w.sent} | ${w.ok} | ${w.errors} | ${w.noAnswer} |`)
  }
  return rows
}

/** The short table printed after the JSON summary. */
export function table (summary: { requests: { sent: number, answered: number, ok: number }, errors: Record<string, number>, deliveries: DeliveryCheck, events: ChaosEvent[], crashes: Array<{ gateway: string, at: number }> }): string {
  const d = summary.deliveries
  const lines = [
    '| chaos | |',
    '|---|---|',
    `| requests sent / answered / 2xx | ${summary.requests.sent} / ${summary.requests.answered} / ${summary.requests.ok} |`,
    `| errors by code | ${Object.entries(summary.errors).map(([k, n]) => `${k}: ${n}`).join(', ') || 'none'} |`,
    `| dossiers + steps sent | ${d.sent.dossiers} + ${d.sent.steps} |`,
    `| accepted (202/200) | ${d.accepted.dossiers} + ${d.accepted.steps} |`,
    `| delivered to the portal | ${d.delivered.dossiers} + ${d.delivered.steps} (in ${d.drainSeconds} s after the load) |`,
    `| lost / doubled | ${d.lost.length} / ${d.doubled.length + d.portalDuplicates} |`,
    `| unconfirmed (no 2xx before the deadline) | ${d.unconfirmed}, of which delivered anyway: ${d.unconfirmedDelivered} |`,
    `| gateway crashes | ${summary.crashes.map((c) => `${c.gateway} at ${c.at} s`).join(', ') || 'none'} |`,
    `| faults | ${summary.events.map((e) => `${e.at}s ${e.what}${e.tookMs !== undefined ? ` (${(e.tookMs / 1000).toFixed(1)} s)` : ''}`).join('; ')} |`
  ]
  return lines.join('\n')
}
