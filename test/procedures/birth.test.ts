import { createHash } from 'node:crypto'
import t from 'tap'
import { birthFiling, executionsOf, fileCase, gateway, getCase, waitForCase } from './helper.js'

t.setTimeout(120_000)

t.test('a birth case completes: the PIN issued once and used by both branches, which overlap in time', async (t) => {
  const { app, sys, token } = await gateway(t, { latencyMs: 60 })
  const res = await fileCase(app, token, 'birth', birthFiling(1))
  t.equal(res.statusCode, 202, res.body)
  const filed = res.json()
  t.match(filed, { caseId: String, dossierCode: '000.00.01.H22-250715-0001', status: 'running', traceId: /^[0-9a-f]{32}$/ })

  const view = await waitForCase(app, token, filed.caseId, ['completed'], { portal: true })
  t.same(view.steps.map((s: any) => [s.id, s.status, s.dependsOn]), [
    ['birth', 'completed', []],
    ['pin', 'completed', ['birth']],
    ['residence', 'completed', ['pin', 'birth']],
    ['insurance-card', 'completed', ['pin', 'birth']]
  ])
  const pin = view.steps.find((s: any) => s.id === 'pin')
  t.match(pin.outputs.personalId, /^\d{3}\*{6}\d{3}$/, 'the PIN is masked in the view')
  t.equal(executionsOf(sys.population, filed.caseId, 'pin'), 1, 'the PIN issued once')

  // both branches got the same PIN: the requests the systems executed
  const { rows } = await app.db.query("SELECT outputs->>'personalId' AS pin FROM procedure_steps WHERE case_id = $1 AND step_id = 'pin'", [filed.caseId])
  const card = view.steps.find((s: any) => s.id === 'insurance-card')
  t.match(card.outputs.cardNo, /^TE1\*+\d{3}$/, 'the card number is masked')
  const { rows: raw } = await app.db.query("SELECT outputs FROM procedure_steps WHERE case_id = $1 AND step_id = 'insurance-card'", [filed.caseId])
  // the insurance system derived the code from the PIN it was sent: the PIN the population database issued
  const expected = `01${String(createHash('sha256').update(rows[0].pin).digest().readUInt32BE(0) % 100_000_000).padStart(8, '0')}`
  t.equal(raw[0].outputs.socialInsuranceCode, expected, 'the card was issued for the PIN the birth branch produced')
  t.equal(raw[0].outputs.cardNo, `TE101${expected}`)

  // overlap: each branch started before the other finished
  const res1 = view.steps.find((s: any) => s.id === 'residence')
  const ins = card
  t.ok(Date.parse(res1.startedAt) < Date.parse(ins.finishedAt) && Date.parse(ins.startedAt) < Date.parse(res1.finishedAt),
    `residence ${res1.startedAt as string}–${res1.finishedAt as string} overlaps insurance ${ins.startedAt as string}–${ins.finishedAt as string}`)
  for (const s of view.steps) t.equal(s.attempts.length, 1, `${s.id as string}: one attempt`)
  t.ok(view.steps.every((s: any) => s.deadlineAt !== undefined))

  // the portal: the parent and three sub-procedures, each with its own code and procedure code, in order
  t.equal(view.dossier.status, 10)
  const subs = view.steps.filter((s: any) => s.dossier !== undefined)
  t.equal(subs.length, 3, 'the PIN step has no dossier of its own')
  const received = sys.portal.portal.received()
  for (const s of subs) {
    const mine = received.dossiers.filter((d) => d.maHoSo === s.dossier.code)
    const steps = received.progress.filter((d) => d.maHoSo === s.dossier.code)
    t.equal(mine[0].data.MaTTHC, s.procedureCode)
    t.equal(mine[0].data.MaHoSoLienThong, filed.dossierCode)
    const statuses = [Number(mine[0].data.TrangThaiHoSo), ...steps.map((p) => Number(p.data.TrangThai))]
    t.same(statuses, s.id === 'birth' ? [1, 2, 4, 9, 10] : [1, 2, 4, 9, 10], `${s.id as string}: statuses in order`)
  }
  const parent = received.progress.filter((d) => d.maHoSo === filed.dossierCode).map((p) => Number(p.data.TrangThai))
  t.same(parent, [4, 9, 10])
  t.same(sys.portal.portal.duplicates(), [])

  // repeated filing → the same case
  const again = await fileCase(app, token, 'birth', birthFiling(1))
  t.equal(again.statusCode, 200)
  t.equal(again.json().caseId, filed.caseId)
  const other = await fileCase(app, token, 'birth', birthFiling(1, { communeCode: '00071' }))
  t.equal(other.statusCode, 409)
  t.equal((await getCase(app, token, filed.caseId)).status, 'completed')
})
