import { readFileSync } from 'node:fs'

/**
 * The CPU profile of a gateway under lookup load (`node --cpu-prof`), cut into the stages of one lookup: each sample
 * goes to the stage of the deepest frame on its stack that belongs to a stage's code (the gateway's own files by
 * path, packages by name); a sample with no such frame goes to the stage of its deepest Node.js-core frame
 * (connection and HTTP parsing, promise ticks), else to V8/native. So `JSON.parse` called by undici counts as the
 * connector, a socket write made while fastify sends the reply as the reply, and the HTTP parser's own work
 * as the connection.
 */

interface CallFrame { functionName: string, url: string }
interface ProfileNode { id: number, callFrame: CallFrame, children?: number[] }
interface CpuProfile { nodes: ProfileNode[], startTime: number, samples: number[], timeDeltas: number[] }

/** Stage names, in the order of a lookup. */
export const STAGES = [
  'connection + HTTP parsing (node core)',
  'fastify: routing, hooks, body parsing',
  'protection + headers',
  'auth (token, client, role)',
  'limits (rate + quota)',
  'validation (request + response schema)',
  'routing, grant, purpose, subjects',
  'lookup handler + envelope',
  'connector runtime + upstream call/parse (undici)',
  'reply + serialisation (fastify)',
  'metrics',
  'access log (pino)',
  'audit hand-off',
  'tracing + request ids',
  'socket writes (system calls)',
  'other gateway code',
  'other packages',
  'promises / ticks (node core)',
  'garbage collection',
  'V8 / native, unattributed'
] as const
export type Stage = typeof STAGES[number]

/** Strong rules: a frame of this code puts the sample in this stage (the deepest such frame wins). */
const OWN: Array<[RegExp, Stage]> = [
  [/\/src\/plugins\/(auth|console)\.|\/src\/auth\//, 'auth (token, client, role)'],
  [/\/src\/plugins\/limits\.|\/src\/limits\//, 'limits (rate + quota)'],
  [/\/src\/catalog\/validator\.|\/src\/catalog\/schemas?/, 'validation (request + response schema)'],
  [/\/src\/lookups\/|\/src\/catalog\//, 'routing, grant, purpose, subjects'],
  [/\/src\/routes\/lookups\//, 'lookup handler + envelope'],
  [/\/src\/connectors\/|\/src\/lib\/(breaker|bulkhead|circuit)/, 'connector runtime + upstream call/parse (undici)'],
  [/\/src\/plugins\/telemetry\./, 'metrics'],
  [/\/src\/plugins\/access-log\.|\/src\/logging\./, 'access log (pino)'],
  [/\/src\/audit\//, 'audit hand-off'],
  [/\/src\/tracing\/|\/src\/plugins\/request-context\./, 'tracing + request ids'],
  [/\/src\/plugins\/(security-headers|protection|drain|problem)\./, 'protection + headers'],
  [/\/src\//, 'other gateway code']
]
const PACKAGES: Array<[RegExp, Stage]> = [
  [/^(@fastify\/jwt|fast-jwt|mnemonist|lru|asn1)/, 'auth (token, client, role)'],
  [/^@fastify\/rate-limit|^ioredis/, 'limits (rate + quota)'],
  [/^ajv/, 'validation (request + response schema)'],
  [/^undici/, 'connector runtime + upstream call/parse (undici)'],
  [/^@opentelemetry\/(sdk-metrics|exporter-prometheus)/, 'metrics'],
  [/^@opentelemetry\//, 'tracing + request ids'],
  [/^(pino|sonic-boom|fast-redact|@pinojs|quick-format|atomic-sleep|safe-stable-stringify)/, 'access log (pino)'],
  [/^@fastify\/under-pressure/, 'protection + headers'],
  [/^(fastify\/lib\/(reply|error|schemas)|fast-json-stringify|@fastify\/error)/, 'reply + serialisation (fastify)'],
  [/^(fastify|avvio|find-my-way|light-my-request|@fastify\/|secure-json-parse|content-type|toad-cache|fast-querystring|process-warning|rfdc)/, 'fastify: routing, hooks, body parsing'],
  [/./, 'other packages']
]

/** Native frames that write to a socket (the system call and the copy): their own stage, whoever calls them. */
const SOCKET_WRITES = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'writeUcs2String'])

function strongStage (cf: CallFrame): Stage | undefined {
  if (cf.functionName === '(garbage collector)') return 'garbage collection'
  if (cf.url === '' && SOCKET_WRITES.has(cf.functionName)) return 'socket writes (system calls)'
  if (cf.url === '' || cf.url.startsWith('node:')) return undefined
  const nm = cf.url.lastIndexOf('/node_modules/')
  if (nm >= 0) {
    const rest = cf.url.slice(nm + 14)
    return PACKAGES.find(([re]) => re.test(rest))?.[1]
  }
  return OWN.find(([re]) => re.test(cf.url))?.[1]
}

function weakStage (cf: CallFrame): Stage | undefined {
  if (!cf.url.startsWith('node:')) return undefined
  if (/^node:internal\/process\/(task_queues|promises)|^node:internal\/timers/.test(cf.url)) return 'promises / ticks (node core)'
  return 'connection + HTTP parsing (node core)'
}

export interface StageShare { stage: Stage, ms: number, pct: number }

/** Busy time per stage (ms and % of busy) of the samples in [fromUs, toUs); idle and the profiler's root excluded. */
export function profileStages (file: string, fromUs = -Infinity, toUs = Infinity): { busyMs: number, stages: StageShare[] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const parent = new Map<number, ProfileNode>()
  const byId = new Map<number, ProfileNode>()
  for (const n of p.nodes) {
    byId.set(n.id, n)
    for (const c of n.children ?? []) parent.set(c, n)
  }
  const memo = new Map<number, Stage | null>()
  const stageOf = (id: number): Stage | null => {
    const hit = memo.get(id)
    if (hit !== undefined) return hit
    const node = byId.get(id) as ProfileNode
    const name = node.callFrame.functionName
    if (name === '(idle)' || name === '(root)') { memo.set(id, null); return null }
    let strong: Stage | undefined
    let weak: Stage | undefined
    for (let n: ProfileNode | undefined = node; n !== undefined; n = parent.get(n.id)) {
      strong = strongStage(n.callFrame)
      if (strong !== undefined) break
      weak ??= weakStage(n.callFrame)
    }
    const s = strong ?? weak ?? 'V8 / native, unattributed'
    memo.set(id, s)
    return s
  }
  const ms = new Map<Stage, number>()
  let t = p.startTime
  const at = p.timeDeltas.map((d) => (t += d))
  let busy = 0
  for (let i = 0; i < p.samples.length; i++) {
    if (at[i] < fromUs || at[i] >= toUs) continue
    const s = stageOf(p.samples[i])
    if (s === null) continue
    const dt = ((at[i + 1] ?? at[i]) - at[i]) / 1000
    busy += dt
    ms.set(s, (ms.get(s) ?? 0) + dt)
  }
  const r1 = (x: number): number => Math.round(x * 10) / 10
  return {
    busyMs: r1(busy),
    stages: STAGES.filter((s) => ms.has(s)).map((stage) => ({ stage, ms: r1(ms.get(stage) ?? 0), pct: busy > 0 ? r1((ms.get(stage) ?? 0) / busy * 100) : 0 }))
  }
}
