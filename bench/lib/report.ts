import type { LookupResults } from '../lookups.js'
import type { LoadResult } from './load.js'
import { describeMachine, type Machine } from './machine.js'
import type { ScriptResult } from './scripts.js'
import type { Settings } from './settings.js'
import { formatSummary } from '../profile-summary.js'

/** What bench/deliveries.ts prints, as far as the report uses it. */
export interface DeliveriesResult {
  dossiers: number
  acceptOnly: { perSecond: number, statuses: Record<string, number> }
  deliverOnly: { perSecond: number }
  stepsWhileDelivering: { acceptPerSecond: number, deliveredPerSecond: number }
  check: { deliveredInDb: number, portalItems: number, expected: number, dossiersNotExactlyOnce: number, duplicates: number }
}

/** What bench/events.ts prints, as far as the report uses it. */
export interface EventsResult {
  subscribers: number
  fanout: string
  burst: { events: number, deliveries: number, eventsPerSecond: number, deliveriesPerSecond: number, cpuMsPerDelivery: Record<string, number> }
  latency: { deliveriesPerSecond: number, p50Ms: number, p99Ms: number }
  lost: number
}

export interface Target { id: string, target: string, value: string, met: boolean | null }

export interface Results {
  startedAt: string
  seconds: number
  machine: Machine
  settings: Omit<Settings, 'skip' | 'keep' | 'redisUrl' | 'databaseUrl'> & { skip: string[] }
  lookups?: LookupResults
  ratios?: { throughput: number, cpuPerRequest: number, auditAndTracingOnOverOff?: number }
  deliveries?: ScriptResult<DeliveriesResult>
  adminUnits?: ScriptResult<unknown>
  /** Cost of the audit checkpoints (bench/checkpoints.ts). */
  checkpoints?: ScriptResult<unknown>
  procedures?: ScriptResult<Record<string, unknown>>
  events?: ScriptResult<EventsResult>
  targets: Target[]
  errors: string[]
}

const r2 = (n: number): number => Math.round(n * 100) / 100
const errorsOf = (r: LoadResult): string => {
  const n = r.non2xx + r.errors
  if (n === 0) return '0'
  const parts = Object.entries(r.statuses).filter(([code]) => !code.startsWith('2')).map(([code, count]) => `${count} × ${code}`)
  if (r.timeouts > 0) parts.push(`${r.timeouts} timeouts`)
  if (r.errors > r.timeouts) parts.push(`${r.errors - r.timeouts} socket errors`)
  return `${n} (${parts.join(', ')})`
}

/** The issue-4 figures, audit trail + tracing on against off: the medians of the alternated rounds when measured,
 * else (c) (measured first, right after start) against the `off` variant (measured later, another process). */
export function auditTracingOnOff (l: LookupResults): { on: number, off: number, ratio: number, how: string } | undefined {
  const a = l.alternated
  if (a !== undefined) return { on: a.on.rps, off: a.off.rps, ratio: a.on.rps / Math.max(1, a.off.rps), how: `medians of ${a.rounds.length} alternated rounds` }
  const off = l.variants.off
  if (off !== undefined) return { on: l.gateway.rps, off: off.rps, ratio: l.gateway.rps / Math.max(1, off.rps), how: '(c) and the off variant' }
  return undefined
}

export function targets (l: LookupResults | undefined, d: DeliveriesResult | undefined, e?: EventsResult): Target[] {
  const list: Target[] = []
  if (e !== undefined) {
    list.push({ id: 'event-deliveries', target: `events: ≥ 2,000 deliveries/s to ${e.subscribers} subscribers`, value: `${e.burst.deliveriesPerSecond}/s (${e.burst.eventsPerSecond} events/s ingested)`, met: e.burst.deliveriesPerSecond >= 2000 })
    list.push({ id: 'event-none-lost', target: 'events: none lost', value: `${e.lost} lost`, met: e.lost === 0 })
  }
  if (l !== undefined) {
    const ratio = l.gateway.rps / Math.max(1, l.baselineProxy.rps)
    list.push({ id: 'throughput', target: '(c)/(b) throughput ≥ 0.7', value: `${r2(ratio)} (${l.gateway.rps} / ${l.baselineProxy.rps} req/s)`, met: ratio >= 0.7 })
    const c = l.gatewayHalfRate.latencyMs.p99
    const b = l.baselineAtSameRate.latencyMs.p99
    list.push({ id: 'p99', target: 'p99 of (c) at half its max rate ≤ 2 × p99 of (b) at that rate', value: `${c} ms vs 2 × ${b} ms (at ${l.gatewayHalfRate.rate} req/s)`, met: c <= 2 * b })
    const rss = l.gatewayManyConnections.peakRssMB
    list.push({ id: 'rss', target: `gateway peak RSS ≤ 250 MB with ${l.gatewayManyConnections.connections} connections`, value: `${rss} MB`, met: rss <= 250 })
    // issue 19: the same path within a CPU budget
    const gw = l.gateway.cpuUsPerRequest.server ?? 0
    const px = l.baselineProxy.cpuUsPerRequest.server ?? 0
    if (gw > 0 && px > 0) list.push({ id: 'cpu', target: 'issue 19: gateway CPU per lookup ≤ 2 × the proxy\'s', value: `${r2(gw / px)} × (${gw} / ${px} µs)`, met: gw <= 2 * px })
    if (l.postgresUsPerLookup !== undefined) list.push({ id: 'postgres-per-event', target: 'issue 19: PostgreSQL CPU per audit event ≤ 20 µs', value: `${l.postgresUsPerLookup} µs (per lookup of (c), one event each)`, met: l.postgresUsPerLookup <= 20 })
    list.push({ id: 'p99-tight', target: 'issue 19: p99 of (c) at half its max rate ≤ 1.5 × p99 of (b)', value: `${c} ms vs 1.5 × ${b} ms`, met: c <= 1.5 * b })
    list.push({ id: 'rss-tight', target: `issue 19: gateway peak RSS ≤ 200 MB with ${l.gatewayManyConnections.connections} connections`, value: `${rss} MB`, met: rss <= 200 })
    const cost = auditTracingOnOff(l)
    if (cost !== undefined) {
      list.push({ id: 'audit-tracing', target: 'issue 4: audit trail + tracing cost ≤ 15 % of throughput ((c) / (c) with both off ≥ 0.85)', value: `${r2(cost.ratio)} (${cost.on} / ${cost.off} req/s, ${cost.how}; default sampler)`, met: cost.ratio >= 0.85 })
      const all = l.variants['trace-all']
      if (all !== undefined) {
        const costAll = all.rps / Math.max(1, cost.off)
        const offIs = l.alternated !== undefined ? 'the alternated off median' : 'the off variant'
        list.push({ id: 'audit-tracing-all', target: '… the same with every request traced (parentbased_always_on)', value: `${r2(costAll)} (${all.rps} / ${cost.off} req/s, ${offIs})`, met: costAll >= 0.85 })
      }
    }
  }
  if (d !== undefined) {
    list.push({ id: 'accepted', target: 'deliveries ≥ 2,000 accepted/s', value: `${d.acceptOnly.perSecond}/s`, met: d.acceptOnly.perSecond >= 2000 })
    list.push({ id: 'delivered', target: 'deliveries ≥ 1,000 delivered/s', value: `${d.deliverOnly.perSecond}/s`, met: d.deliverOnly.perSecond >= 1000 })
    const k = d.check
    const exact = k.deliveredInDb === k.expected && k.portalItems === k.expected && k.dossiersNotExactlyOnce === 0 && k.duplicates === 0
    list.push({ id: 'exactly-once', target: 'deliveries: none lost, none doubled', value: `${k.portalItems}/${k.expected} at the portal, ${k.duplicates} duplicates`, met: exact })
  }
  return list
}

const row = (name: string, r: LoadResult, extra = ''): string =>
  `| ${name} | ${r.connections} | ${r.rate ?? 'max'} | ${r.rps} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${errorsOf(r)} | ` +
  `${r.cpuUsPerRequest.server ?? '–'} | ${r.cpuUsPerRequest.simulator ?? '–'} | ${r.cpuUsPerRequest.services ?? '–'} | ${r.cpuUsPerRequest.loadgen ?? '–'} | ${extra} |`

const roundsLine = (a: NonNullable<LookupResults['alternated']>): string =>
  `Alternated rounds of (c), audit trail + tracing on and off, both gateways up at once (${a.rounds[0]?.on.durationS ?? '?'} s each, order swapped every round; ` +
  'req/s, gateway CPU µs/req in brackets): ' +
  a.rounds.map((r, i) => {
    const side = (s: 'on' | 'off'): string => `${s} ${r[s].rps} (${r[s].cpuUsPerRequest.server ?? '?'})`
    return `${i + 1}. ${r.first === 'on' ? `${side('on')}, ${side('off')}` : `${side('off')}, ${side('on')}`}`
  }).join('; ') +
  `. Medians ${a.on.rps} / ${a.off.rps} req/s = ${r2(a.on.rps / Math.max(1, a.off.rps))}.`

export function markdown (res: Results): string {
  const out: string[] = [
    `## Liên thông Gateway benchmark — ${res.startedAt}`,
    '',
    `Machine: ${describeMachine(res.machine)}.`,
    `Runs of ${res.settings.durationS} s after ${res.settings.warmupS} s of warm-up, ${res.settings.connections} keep-alive connections (autocannon); ` +
    `gateway LOG_LEVEL=${res.settings.logLevel}, tracing on (OTLP export to a local sink), audit trail on (PostgreSQL, fsync on), per-client rate limit checked in Redis. Whole run ${res.seconds} s.`,
    ''
  ]
  const l = res.lookups
  if (l !== undefined) {
    out.push(
      '| Scenario | Conns | Rate | req/s | p50 ms | p99 ms | Errors | CPU µs/req: tested | simulator | PG + Redis | load gen. | |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
      row('(a) citizen simulator, direct', l.simulatorDirect),
      row('(b) baseline proxy (Fastify + undici Pool)', l.baselineProxy),
      row('(c) gateway, full lookup path', l.gateway, `RSS ≤ ${l.gateway.maxRssMB ?? '?'} MB`),
      row('(c) at half its max rate', l.gatewayHalfRate),
      row('(b) at the same rate', l.baselineAtSameRate),
      row(`(c) with ${l.gatewayManyConnections.connections} connections`, l.gatewayManyConnections, `peak RSS ${l.gatewayManyConnections.peakRssMB} MB (idle ${l.gatewayIdleRssMB} MB)`),
      ...(l.alternated !== undefined
        ? [
            row(`(c) alternated ×${l.alternated.rounds.length}, ${l.alternated.on.label} (median)`, l.alternated.on, `on / off ${r2(l.alternated.on.rps / Math.max(1, l.alternated.off.rps))}`),
            row(`(c) alternated ×${l.alternated.rounds.length}, ${l.alternated.off.label} (median)`, l.alternated.off)
          ]
        : []),
      ...Object.values(l.variants).map((v) => row(`(c) ${v.label}`, v)),
      ...(l.profile !== undefined ? [row('(c) under --cpu-prof', l.profile.load)] : []),
      '',
      `Ratios: (c)/(b) throughput ${res.ratios?.throughput ?? '?'}; gateway CPU per request / proxy CPU per request ${res.ratios?.cpuPerRequest ?? '?'}` +
      (res.ratios?.auditAndTracingOnOverOff !== undefined ? `; audit + tracing on/off throughput ${res.ratios.auditAndTracingOnOverOff} (${auditTracingOnOff(l)?.how ?? '?'})` : '') + '.',
      ...(l.alternated !== undefined ? [roundsLine(l.alternated)] : []),
      `Gateway logs: ${l.gatewayLogBytesPerRequest} bytes per request at LOG_LEVEL=${res.settings.logLevel}. ` +
      (l.auditTrail !== undefined
        ? `Audit trail: ${l.auditTrail.recorded} 'ok' lookup events for ${l.auditTrail.answered} 200s received ` +
          `(${l.auditTrail.recorded >= l.auditTrail.answered ? 'none unaudited; the surplus were answered after the load generator stopped counting' : 'SOME ANSWERED LOOKUPS ARE MISSING'}). `
        : '') +
      `OTLP trace exports received: ${l.otlpTraceExports}.` +
      ` With ${l.gatewayManyConnections.connections} connections, highest seen: heap used ${l.gatewayManyConnections.memoryMB.heapUsed ?? '?'} MB, ` +
      `heap total ${l.gatewayManyConnections.memoryMB.heapTotal ?? '?'} MB, external ${l.gatewayManyConnections.memoryMB.external ?? '?'} MB, ` +
      `audit buffer ${l.gatewayManyConnections.auditBufferDepth ?? '?'} events.` +
      (l.gatewayRefusedAtStart > 0 ? ` Right after start the gateway refused ${l.gatewayRefusedAtStart} token request(s) with 503 (overload protection) before one passed.` : ''),
      ''
    )
  }
  if (res.targets.length > 0) {
    out.push('| Target (issue 8) | Value | Met |', '|---|---|---|',
      ...res.targets.map((t) => `| ${t.target} | ${t.value} | ${t.met === true ? 'met' : 'NOT MET'} |`), '')
  }
  const d = res.deliveries
  if (d !== undefined) {
    out.push(d.result !== undefined
      ? `Deliveries (${d.result.dossiers} dossiers, bench/deliveries.ts): accepted ${d.result.acceptOnly.perSecond}/s, delivered ${d.result.deliverOnly.perSecond}/s; ` +
        `steps accepted while delivering ${d.result.stepsWhileDelivering.acceptPerSecond}/s, delivered ${d.result.stepsWhileDelivering.deliveredPerSecond}/s end to end.`
      : `Deliveries: failed (${d.error ?? 'unknown'}).`, '')
  }
  const ev = res.events
  if (ev !== undefined) {
    out.push(ev.result !== undefined
      ? `Events (bench/events.ts, ${ev.result.burst.events} portal submissions, fan-out ${ev.result.fanout} to ${ev.result.subscribers} subscribers): ` +
        `ingested ${ev.result.burst.eventsPerSecond} events/s, delivered ${ev.result.burst.deliveriesPerSecond} webhooks/s ` +
        `(CPU ms per delivery: ${Object.entries(ev.result.burst.cpuMsPerDelivery).map(([k, v]) => `${k} ${v}`).join(', ')}); ` +
        `source → subscriber p50 ${ev.result.latency.p50Ms} ms, p99 ${ev.result.latency.p99Ms} ms at ${ev.result.latency.deliveriesPerSecond} deliveries/s; lost ${ev.result.lost}.`
      : `Events: failed (${ev.error ?? 'unknown'}).`, '')
  }
  const a = res.adminUnits
  if (a !== undefined) out.push(a.summary !== undefined ? `Admin units (bench/admin-units.ts): ${a.summary}` : `Admin units: failed (${a.error ?? 'unknown'}).`, '')
  const c = res.checkpoints
  if (c !== undefined) out.push(c.summary !== undefined ? `Audit checkpoints (bench/checkpoints.ts): ${c.summary}` : `Audit checkpoints: failed (${c.error ?? 'unknown'}).`, '')
  const p = res.procedures
  if (p !== undefined) {
    out.push(p.result !== undefined
      ? `Procedures (bench/procedures.ts): ${JSON.stringify({ cases: p.result.cases, casesPerSecond: p.result.casesPerSecond, dayInSeconds: p.result.dayInSeconds, filingToLastStepMs: p.result.filingToLastStepMs, lostOrDoubled: p.result.lostOrDoubled, portal: p.result.portal })}`
      : `Procedures: failed (${p.error ?? 'unknown'}).`, '')
  }
  if (l?.profile !== undefined) {
    out.push(`CPU profile of the gateway under (c) (\`${l.profile.file}\`), top 10 by self time:`, '',
      formatSummary({ ...l.profile, top: l.profile.top.slice(0, 10), byArea: l.profile.byArea.slice(0, 8) }), '')
  }
  if (res.errors.length > 0) out.push('Errors:', ...res.errors.map((e) => `- ${e}`), '')
  return out.join('\n')
}
