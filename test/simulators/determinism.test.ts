import t from 'tap'
import { generateCitizens } from '../../src/simulators/citizen/data.js'
import { generateInsurance } from '../../src/simulators/insurance/data.js'
import { generateParcels } from '../../src/simulators/land/data.js'
import { mulberry32 } from '../../src/simulators/seed/prng.js'
import { generateTaxpayers } from '../../src/simulators/tax/data.js'
import { sampleIds } from '../../src/simulators/index.js'

t.test('the PRNG is deterministic and spread over [0, 1)', async (t) => {
  const a = mulberry32(7); const b = mulberry32(7)
  const xs = Array.from({ length: 1000 }, () => a.next())
  t.same(Array.from({ length: 1000 }, () => b.next()), xs)
  t.ok(xs.every((x) => x >= 0 && x < 1))
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length
  t.ok(mean > 0.45 && mean < 0.55, `mean ${mean}`)
})

t.test('same seed → same data; another seed → other data', async (t) => {
  const sets: Array<[string, (seed: number) => unknown[]]> = [
    ['citizens', generateCitizens],
    ['taxpayers', generateTaxpayers],
    ['parcels of 01', (seed) => generateParcels('01', seed)],
    ['insurance', generateInsurance]
  ]
  for (const [name, generate] of sets) {
    const first = generate(11)
    t.same(generate(11), first, `${name}: same seed`)
    t.notSame(generate(12).slice(0, 10), first.slice(0, 10), `${name}: other seed`)
  }
  t.same(sampleIds(11), sampleIds(11))
})
