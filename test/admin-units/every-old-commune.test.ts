import t from 'tap'
import { PRE_REFORM_LAST_DAY } from '../../src/admin-units/dates.js'
import { TODAY, units } from './fixtures/units.js'

// Every old commune in the mapping resolves to a commune that exists today, or is marked partial or
// ambiguous with candidates that exist today; and always lands in the successor of its old province.
t.test('every old commune resolves', async t => {
  const old = units.communes({ asOf: PRE_REFORM_LAST_DAY })
  t.equal(old.length, 10047)
  const current = new Set(units.communes({ asOf: TODAY }).map(c => c.code))
  const provinceToday = new Map(units.provinces(PRE_REFORM_LAST_DAY).map(p =>
    [p.code, units.resolveOne({ provinceCode: p.code, asOf: PRE_REFORM_LAST_DAY }, { today: TODAY }).province?.code]))
  const counts: Record<string, number> = {}
  const failures: string[] = []
  const results = units.resolve(old.slice(0, 1000).map(c => ({ communeCode: c.code, asOf: '2024-06-01' })), { today: TODAY })
  t.equal(results.length, 1000, 'the first 1,000 in one batch')
  for (const c of old) {
    const r = units.resolveOne({ communeCode: c.code, asOf: PRE_REFORM_LAST_DAY }, { today: TODAY })
    counts[r.status] = (counts[r.status] ?? 0) + 1
    const expected = provinceToday.get(c.parentCode ?? '')
    if (r.province?.code !== expected) failures.push(`${c.code}: province ${r.province?.code ?? '-'}, expected ${expected ?? '-'}`)
    if (r.status === 'resolved') {
      if (r.kind !== 'full' || r.commune === undefined || !current.has(r.commune.code)) failures.push(`${c.code}: ${JSON.stringify(r)}`)
    } else if (r.status === 'partial') {
      if (r.kind !== 'partial' || r.commune === undefined || !current.has(r.commune.code)) failures.push(`${c.code}: ${JSON.stringify(r)}`)
    } else if (r.status === 'ambiguous') {
      const ok = (r.candidates?.length ?? 0) >= 2 && r.candidates?.every(x => x.kind === 'partial' && current.has(x.code))
      if (ok !== true) failures.push(`${c.code}: ${JSON.stringify(r)}`)
    } else {
      failures.push(`${c.code}: ${r.status} ${r.reason ?? ''}`)
    }
  }
  t.same(failures, [], 'no failures')
  t.same(counts, { resolved: 9587, ambiguous: 460 }, 'dvhcvn: 9,587 old communes → 1 new, 460 → 2–5')
})

t.test('a new commune that kept an old code contains that old commune', async t => {
  const old = new Set(units.communes({ asOf: PRE_REFORM_LAST_DAY }).map(c => c.code))
  const missing: string[] = []
  for (const c of units.communes({ asOf: TODAY })) {
    if (!old.has(c.code)) continue
    const preds = units.get(c.code, 'commune', TODAY, { today: TODAY })?.predecessors ?? []
    if (!preds.some(p => p.unit.code === c.code)) missing.push(c.code)
  }
  t.same(missing, [])
})

t.test('dvhcvn lineage corrections', async t => {
  const to = (code: string) => units.resolveOne({ communeCode: code, asOf: '2025-06-30' }, { today: TODAY }).commune?.code
  t.equal(to('30622'), '30604', 'Tân Phú (An Giang) stays in An Giang')
  t.equal(to('23710'), '23710')
  t.equal(to('13768'), '13753')
  t.equal(to('23521'), '23500')
  t.equal(to('31771'), '31777')
})
