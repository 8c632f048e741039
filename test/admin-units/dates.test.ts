import t from 'tap'
import { isIsoDate } from '../../src/admin-units/dates.js'

t.test('isIsoDate: real calendar dates only, years 0000–0099 included', async (t) => {
  for (const d of ['2025-07-01', '2024-02-29', '0000-01-01', '0099-12-31', '9999-12-31']) t.ok(isIsoDate(d), d)
  for (const d of ['2025-02-29', '2025-13-01', '2025-7-1', '0000-00-01', '2025-06-31', 20250701, null]) t.notOk(isIsoDate(d), String(d))
})
