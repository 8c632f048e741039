import t from 'tap'
import { tokenFor } from '../helper.js'
import { birthFiling, fileCase, gateway } from './helper.js'

t.test('a client files cases only for the agencies an admin lists for it (issue 22 #1)', async (t) => {
  const { app } = await gateway(t, { workers: false })
  const other = await tokenFor(app, ['system'], ['procedure.filing'], ['000.00.02.H22'])
  const refused = await fileCase(app, other, 'birth', birthFiling(1))
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().code, 'AGENCY_NOT_ALLOWED')
  t.equal((await app.db.query('SELECT count(*)::int AS n FROM procedure_cases')).rows[0].n, 0, 'nothing filed')
  const none = await tokenFor(app, ['system'], ['procedure.filing'])
  t.equal((await fileCase(app, none, 'birth', birthFiling(2))).statusCode, 403, 'a client with no agencies files for none')
  const province = await tokenFor(app, ['system'], ['procedure.filing'], ['000.00.*.H22'])
  t.equal((await fileCase(app, province, 'birth', birthFiling(3))).statusCode, 202, 'a pattern covering the agency')
})
