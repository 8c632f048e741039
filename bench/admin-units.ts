/**
 * Benchmark of the administrative-unit tables (issue 6): load time, heap taken by the tables, and items
 * resolved per second for a mixed workload. No server. Bounded to a few seconds.
 *
 *   npm run build && node --expose-gc dist/bench/admin-units.js
 *
 * Set ADMIN_UNITS_BENCH_MS to change the time spent per workload (default 1000 ms).
 * Prints one JSON object, then a one-line markdown summary.
 */
import { AdminUnits, type ResolveInput } from '../src/admin-units/index.js'
import { PRE_REFORM_LAST_DAY, todayInVietnam } from '../src/admin-units/dates.js'

const RUN_MS = Number(process.env.ADMIN_UNITS_BENCH_MS ?? 1000)
const BATCH = 1000
const gc = (globalThis as { gc?: () => void }).gc

function heapUsed (): number {
  gc?.()
  gc?.()
  return process.memoryUsage().heapUsed
}

/** Deterministic pseudo-random numbers (mulberry32), so runs are comparable. */
function random (seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const mb = (bytes: number): number => Math.round(bytes / 1048576 * 10) / 10

const heapBefore = heapUsed()
const loadStart = performance.now()
const units = AdminUnits.load()
const loadMs = performance.now() - loadStart
const heapAfter = heapUsed()

const today = todayInVietnam()
const rnd = random(6)
const pick = <T>(list: T[]): T => list[Math.floor(rnd() * list.length)]
const oldCommunes = units.communes({ asOf: PRE_REFORM_LAST_DAY })
const newCommunes = units.communes({ asOf: today })
const oldProvinces = units.provinces(PRE_REFORM_LAST_DAY)
const oldDate = (): string => `20${10 + Math.floor(rnd() * 15)}-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 9)}`
const ascii = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D')

/** 40% old commune codes with a pre-reform date, 30% today's commune codes, 10% old province codes with a date, 20% names. */
function makeItem (): ResolveInput {
  const r = rnd()
  if (r < 0.4) return { communeCode: pick(oldCommunes).code, asOf: oldDate() }
  if (r < 0.7) return { communeCode: pick(newCommunes).code }
  if (r < 0.8) return { provinceCode: pick(oldProvinces).code, asOf: oldDate() }
  if (r < 0.9) {
    const c = pick(newCommunes)
    return { communeName: rnd() < 0.5 ? c.fullName : ascii(c.name), provinceCode: c.parentCode ?? undefined }
  }
  const c = pick(oldCommunes)
  return { communeName: c.name, provinceCode: c.parentCode ?? undefined, asOf: oldDate() }
}

const codesOnly = (item: ResolveInput): boolean => item.communeName === undefined

interface Run { items: number, ms: number, perSecond: number, statuses: Record<string, number> }

function run (items: ResolveInput[][]): Run {
  const statuses: Record<string, number> = {}
  let n = 0
  let i = 0
  const start = performance.now()
  let ms = 0
  while (ms < RUN_MS) {
    for (const r of units.resolve(items[i++ % items.length], { today })) statuses[r.status] = (statuses[r.status] ?? 0) + 1
    n += BATCH
    ms = performance.now() - start
  }
  return { items: n, ms: Math.round(ms), perSecond: Math.round(n / ms * 1000), statuses }
}

const pool = Array.from({ length: 50 * BATCH }, makeItem)
const batches = (list: ResolveInput[]): ResolveInput[][] =>
  Array.from({ length: Math.floor(list.length / BATCH) }, (_, k) => list.slice(k * BATCH, (k + 1) * BATCH))
run(batches(pool).slice(0, 3)) // warm-up
const mixed = run(batches(pool))
const codes = run(batches(pool.filter(codesOnly)))
const names = run(batches(pool.filter(item => !codesOnly(item))))

const result = {
  benchmark: 'admin-units',
  node: process.version,
  gcExposed: gc !== undefined,
  table: {
    provinces: units.store.units.province.length,
    communes: units.store.units.commune.length,
    districts: units.store.districts.size
  },
  loadMs: Math.round(loadMs),
  tablesHeapMB: mb(heapAfter - heapBefore),
  resolve: { mixed, codesOnly: codes, namesOnly: names }
}
console.log(JSON.stringify(result, null, 2))
console.log(`| admin-units | load ${result.loadMs} ms | tables ${result.tablesHeapMB} MB heap${gc === undefined ? ' (no --expose-gc)' : ''} | ` +
  `resolve mixed ${mixed.perSecond.toLocaleString('en')}/s, codes ${codes.perSecond.toLocaleString('en')}/s, ` +
  `names ${names.perSecond.toLocaleString('en')}/s |`)
