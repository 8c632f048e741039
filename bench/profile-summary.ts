/**
 * Reads a V8 CPU profile (`node --cpu-prof` → .cpuprofile) and prints the functions with the most self time, with
 * file:line (mapped back to the TypeScript source for the gateway's own compiled files), their inclusive share, and
 * the self time per package / source area. No dependencies.
 *
 *   node dist/bench/profile-summary.js bench/results/gateway.cpuprofile [top=25] [fromUs] [toUs]
 *
 * `fromUs`: only samples taken at or after this monotonic time in µs (the load window), when the profile has any;
 * `toUs`: and before this one (a phase followed by others, e.g. the delivery phase of bench/deliveries.ts).
 */
import { existsSync, readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

interface CallFrame { functionName: string, url: string, lineNumber: number, columnNumber: number }
interface ProfileNode { id: number, callFrame: CallFrame, children?: number[] }
interface CpuProfile { nodes: ProfileNode[], startTime: number, endTime: number, samples: number[], timeDeltas: number[] }

export interface HotFunction { fn: string, where: string, area: string, selfMs: number, selfPct: number, totalPct: number }
export interface ProfileSummary {
  /** Time covered by the samples used, and the part of it the process was busy (not idle), in ms. */
  wallMs: number
  busyMs: number
  /** True when only the load window's samples were used. */
  windowed: boolean
  top: HotFunction[]
  /** The gateway's own functions (not node_modules, not Node.js) with the most inclusive time. */
  ownTop: HotFunction[]
  byArea: Array<{ area: string, selfMs: number, selfPct: number }>
}

const IDLE = '(idle)'
const maps = new Map<string, SourceMap | undefined>()

function sourceMapOf (file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    const mapFile = `${file}.map`
    maps.set(file, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : undefined)
  }
  return maps.get(file)
}

/** Where a frame is: `src/x.ts:line` for the gateway's compiled files, `pkg/file.js:line` in node_modules. */
function locate (cf: CallFrame): { where: string, area: string } {
  if (cf.url === '') return { where: '(native)', area: cf.functionName.startsWith('(') ? cf.functionName : 'V8 / native' }
  if (cf.url.startsWith('node:')) return { where: `${cf.url}:${cf.lineNumber + 1}`, area: 'node core' }
  const file = cf.url.startsWith('file://') ? fileURLToPath(cf.url) : cf.url
  const nm = file.lastIndexOf('/node_modules/')
  if (nm >= 0) {
    const rest = file.slice(nm + 14)
    const parts = rest.split('/')
    return { where: `${rest}:${cf.lineNumber + 1}`, area: parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0] }
  }
  const entry = sourceMapOf(file)?.findEntry(cf.lineNumber, cf.columnNumber) as { originalSource?: string, originalLine?: number } | undefined
  const src = entry?.originalSource
  const path = src !== undefined ? resolve(dirname(file), src.startsWith('file://') ? fileURLToPath(src) : src) : file
  const line = src !== undefined ? (entry?.originalLine ?? 0) + 1 : cf.lineNumber + 1
  const original = `${relative(process.cwd(), path)}:${line}`
  const area = relative(process.cwd(), dirname(path)) || '.'
  return { where: original, area }
}

const round = (n: number): number => Math.round(n * 10) / 10

export function summarise (file: string, topN = 25, fromUs?: number, toUs = Infinity): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  const at: number[] = []
  let t = p.startTime
  for (const d of p.timeDeltas) at.push(t += d)
  const windowed = fromUs !== undefined && at.some((x) => x >= fromUs)
  const from = windowed ? fromUs as number : -Infinity
  let first: number | undefined
  let last = p.startTime
  for (let i = 0; i < p.samples.length; i++) {
    if (at[i] < from || at[i] >= toUs) continue
    first ??= at[i]
    last = at[i]
    // a sample stands for the time until the next one
    const dt = ((at[i + 1] ?? at[i]) - at[i]) / 1000
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + dt)
  }
  const wallMs = (last - (first ?? last)) / 1000
  const keyOf = (n: ProfileNode): string => `${n.callFrame.functionName}@${n.callFrame.url}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`
  const fns = new Map<string, { node: ProfileNode, self: number, total: number }>()
  // inclusive time per function, counted once per stack even when the function recurses
  const onStack = new Map<string, number>()
  const walk = (n: ProfileNode): number => {
    const key = keyOf(n)
    const entry = fns.get(key) ?? { node: n, self: 0, total: 0 }
    fns.set(key, entry)
    const own = self.get(n.id) ?? 0
    entry.self += own
    onStack.set(key, (onStack.get(key) ?? 0) + 1)
    let total = own
    for (const c of n.children ?? []) total += walk(byId.get(c) as ProfileNode)
    onStack.set(key, (onStack.get(key) ?? 1) - 1)
    if (onStack.get(key) === 0) entry.total += total
    return total
  }
  walk(p.nodes[0])
  const idle = [...fns.values()].filter((f) => f.node.callFrame.functionName === IDLE).reduce((s, f) => s + f.self, 0)
  const busyMs = [...self.values()].reduce((a, b) => a + b, 0) - idle
  const pct = (ms: number): number => busyMs > 0 ? round(ms / busyMs * 100) : 0
  const ranked = [...fns.values()].filter((f) => f.node.callFrame.functionName !== IDLE && f.node.callFrame.functionName !== '(root)')
  const top = ranked.sort((a, b) => b.self - a.self).slice(0, topN).map((f) => {
    const { where, area } = locate(f.node.callFrame)
    return { fn: f.node.callFrame.functionName || '(anonymous)', where, area, selfMs: round(f.self), selfPct: pct(f.self), totalPct: pct(f.total) }
  })
  const own = (f: { node: ProfileNode }): boolean => f.node.callFrame.url.startsWith('file://') && !f.node.callFrame.url.includes('/node_modules/')
  const ownTop = ranked.filter(own).sort((a, b) => b.total - a.total).slice(0, 15).map((f) => {
    const { where, area } = locate(f.node.callFrame)
    return { fn: f.node.callFrame.functionName || '(anonymous)', where, area, selfMs: round(f.self), selfPct: pct(f.self), totalPct: pct(f.total) }
  })
  const areas = new Map<string, number>()
  for (const f of ranked) {
    const { area } = locate(f.node.callFrame)
    areas.set(area, (areas.get(area) ?? 0) + f.self)
  }
  const byArea = [...areas].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([area, ms]) => ({ area, selfMs: round(ms), selfPct: pct(ms) }))
  return { wallMs: round(wallMs), busyMs: round(busyMs), windowed, top, ownTop, byArea }
}

export function formatSummary (s: ProfileSummary): string {
  const lines = [
    `profile: ${s.wallMs} ms ${s.windowed ? 'of load' : 'in all'}, busy ${s.busyMs} ms (${s.wallMs > 0 ? Math.round(s.busyMs / s.wallMs * 100) : 0} % of one core)`,
    '',
    '| # | self % | total % | function | where |',
    '|---:|---:|---:|---|---|',
    ...s.top.map((f, i) => `| ${i + 1} | ${f.selfPct} | ${f.totalPct} | \`${f.fn}\` | ${f.where} |`),
    '',
    '| gateway code, by inclusive time | total % | self % | where |',
    '|---|---:|---:|---|',
    ...s.ownTop.map((f) => `| \`${f.fn}\` | ${f.totalPct} | ${f.selfPct} | ${f.where} |`),
    '',
    '| area | self % |',
    '|---|---:|',
    ...s.byArea.map((a) => `| ${a.area} | ${a.selfPct} |`)
  ]
  return lines.join('\n')
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, n, from, to] = process.argv.slice(2)
  if (file === undefined) {
    process.stderr.write('usage: node dist/bench/profile-summary.js <file.cpuprofile> [top=25] [fromUs] [toUs]\n')
    process.exitCode = 2
  } else {
    console.log(formatSummary(summarise(file, Number(n ?? 25), from !== undefined ? Number(from) : undefined, to !== undefined ? Number(to) : undefined)))
  }
}
