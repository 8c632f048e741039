import t from 'tap'
import { deathFiling, executionsOf, fileCase, gateway, waitForCase } from './helper.js'

t.setTimeout(120_000)

t.test('death cases: with 4 procedures and with 2, each procedure its own dossier on the portal', async (t) => {
  const { app, sys, token } = await gateway(t)
  const four = await fileCase(app, token, 'death', deathFiling(1, ['funeral-allowance', 'survivor-benefit']))
  const two = await fileCase(app, token, 'death', deathFiling(2))
  t.equal(four.statusCode, 202, four.body)
  t.equal(two.statusCode, 202, two.body)

  const v4 = await waitForCase(app, token, four.json().caseId, ['completed'], { portal: true })
  t.same(v4.procedures, ['funeral-allowance', 'survivor-benefit'])
  t.same(v4.steps.map((s: any) => [s.id, s.status]), [
    ['death', 'completed'], ['residence-deregistration', 'completed'], ['funeral-allowance', 'completed'], ['survivor-benefit', 'completed']
  ])
  t.equal(v4.steps.filter((s: any) => s.dossier !== undefined).length, 4)
  t.equal(v4.steps.find((s: any) => s.id === 'funeral-allowance').outputs.amount, 23_400_000)

  const v2 = await waitForCase(app, token, two.json().caseId, ['completed'], { portal: true })
  t.same(v2.steps.map((s: any) => s.id), ['death', 'residence-deregistration'])
  t.equal(v2.steps.filter((s: any) => s.dossier !== undefined).length, 2)
  t.equal(executionsOf(sys.insurance, two.json().caseId, 'funeral-allowance'), 0, 'nothing asked of social insurance')

  const codes = new Set([v4, v2].flatMap((v) => [v.dossier.code, ...v.steps.map((s: any) => s.dossier.code)]))
  t.equal(codes.size, 8, 'every dossier its own code')
  for (const v of [v4, v2]) {
    for (const s of v.steps) {
      t.equal(s.dossier.status, 10)
      const statuses = sys.portal.portal.received(s.dossier.code)
      t.same([Number(statuses.dossiers[0].data.TrangThaiHoSo), ...statuses.progress.map((p) => Number(p.data.TrangThai))], [1, 2, 4, 9, 10], `${s.id as string} in order`)
    }
  }
  t.same(sys.portal.portal.duplicates(), [])
})
