import t from 'tap'
import { mkdtempSync, writeFileSync, cpSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createValidator } from '../../src/catalog/validator.js'
import { loadCalendar } from '../../src/procedures/calendar.js'
import { readGroupFiles } from '../../src/procedures/groups.js'
import { fromRoot } from '../../src/lib/repo-root.js'
import { build } from '../helper.js'

const validator = createValidator()
const calendar = loadCalendar(validator)
/** A time in Asia/Ho_Chi_Minh. */
const hcm = (local: string): Date => new Date(`${local}+07:00`)
const day = (d: Date): string => new Date(d.getTime() + 7 * 3600_000).toISOString().slice(0, 16)

t.test('working days: weekends, Tết, Hùng Kings, 30/4–1/5, National Day, swaps', async (t) => {
  t.ok(calendar.covers(2025) && calendar.covers(2026) && calendar.covers(2027))
  t.equal(calendar.isWorkingDay('2025-01-29'), false, 'Tết 2025')
  t.equal(calendar.isWorkingDay('2026-02-17'), false, 'Tết 2026')
  t.equal(calendar.isWorkingDay('2027-02-08'), false, 'Tết 2027')
  t.equal(calendar.isWorkingDay('2025-04-07'), false, 'Hùng Kings 2025')
  t.equal(calendar.isWorkingDay('2026-04-27'), false, 'Hùng Kings 2026, on a Sunday: the Monday off')
  t.equal(calendar.isWorkingDay('2027-04-16'), false, 'Hùng Kings 2027')
  t.equal(calendar.isWorkingDay('2025-04-26'), true, 'a Saturday worked in exchange')
  t.equal(calendar.isWorkingDay('2025-05-02'), false)
  t.equal(calendar.isWorkingDay('2025-09-02'), false)
  t.equal(calendar.isWorkingDay('2025-12-06'), false, 'a Saturday')
  t.equal(calendar.isWorkingDay('2025-12-08'), true)
  t.equal(calendar.holiday('2025-01-01'), 'Tết Dương lịch')
})

t.test('deadlines: the same working day before 15:00, else the next; n days after, at 17:00', async (t) => {
  t.equal(day(calendar.deadline(hcm('2025-12-08T10:00:00'), 0)), '2025-12-08T17:00')
  t.equal(day(calendar.deadline(hcm('2025-12-08T15:30:00'), 0)), '2025-12-09T17:00')
  t.equal(day(calendar.deadline(hcm('2025-12-06T10:00:00'), 0)), '2025-12-08T17:00', 'filed on a Saturday')
  t.equal(day(calendar.deadline(hcm('2025-12-05T10:00:00'), 3)), '2025-12-10T17:00', 'over a weekend')
  t.equal(day(calendar.deadline(hcm('2025-01-24T09:00:00'), 1)), '2025-02-03T17:00', 'over Tết 2025')
  t.equal(day(calendar.deadline(hcm('2026-02-13T09:00:00'), 2)), '2026-02-24T17:00', 'over Tết 2026')
  t.equal(day(calendar.deadline(hcm('2025-04-25T09:00:00'), 1)), '2025-04-26T17:00', 'the swapped Saturday counts')
  t.equal(day(calendar.deadline(hcm('2025-04-29T09:00:00'), 1)), '2025-05-05T17:00', '30/4, 1/5 and the bridge')
  t.equal(day(calendar.deadline(hcm('2026-04-24T09:00:00'), 1)), '2026-04-28T17:00', 'Hùng Kings 2026 compensated on Monday')
})

t.test('a calendar file for another year is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cal-'))
  writeFileSync(join(dir, '2028.json'), JSON.stringify({ year: 2028, holidays: [{ date: '2029-01-01', name: 'x' }], workingDays: [] }))
  t.throws(() => loadCalendar(validator, dir), /2029-01-01 is not in 2028/)
})

t.test('a group file with a cycle is a refused config: the gateway does not start', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'groups-'))
  cpSync(fromRoot('config/procedures'), dir, { recursive: true })
  const g = JSON.parse(JSON.stringify(await import(fromRoot('config/procedures/death.json'), { with: { type: 'json' } }))).default
  g.steps[0].after = ['survivor-benefit']
  writeFileSync(join(dir, 'death.json'), JSON.stringify(g))
  t.throws(() => readGroupFiles(validator, dir), /death\.json: refused: .*\/steps the steps form a cycle: death → survivor-benefit → death/)
  await t.rejects(build(t, { env: { PROCEDURES_DIR: dir } }), /cycle/)
  t.same(readGroupFiles(validator).map((x) => x.id), ['birth', 'death'], 'the shipped groups pass')
})
