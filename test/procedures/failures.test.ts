import t from 'tap'
import { tokenFor } from '../helper.js'
import { birthFiling, deathFiling, executionsOf, fileCase, gateway, getCase, post, putGroup, quickRetries, waitFor, waitForCase } from './helper.js'

t.setTimeout(120_000)

t.test('the insurance system failing for a while: retried, the residence branch unaffected', async (t) => {
  const { app, sys, token } = await gateway(t)
  await putGroup(app, 'birth', quickRetries)
  sys.insurance.faults.set({ status: 503 })
  const filed = (await fileCase(app, token, 'birth', birthFiling(1))).json()
  await waitFor(async () => {
    const v = await getCase(app, token, filed.caseId)
    const card = v.steps.find((s: any) => s.id === 'insurance-card')
    return v.steps.find((s: any) => s.id === 'residence').status === 'completed' && card.attempts.length >= 3
  }, 20_000, 'residence done while insurance retries')
  const during = await getCase(app, token, filed.caseId)
  t.equal(during.status, 'running')
  t.match(during.steps.find((s: any) => s.id === 'insurance-card'), { status: /retrying|running/, lastError: /unavailable/ })
  sys.insurance.faults.reset()
  const v = await waitForCase(app, token, filed.caseId, ['completed'])
  const card = v.steps.find((s: any) => s.id === 'insurance-card')
  t.ok(card.attempts.length >= 3, `${card.attempts.length as number} attempts`)
  t.same(card.attempts.slice(0, -1).map((a: any) => a.outcome), card.attempts.slice(0, -1).map(() => 'retry'))
  t.equal(card.attempts.at(-1).outcome, 'completed')
  t.equal(v.steps.find((s: any) => s.id === 'residence').attempts.length, 1, 'the residence branch called once')
  t.equal(executionsOf(sys.insurance, filed.caseId, 'insurance-card'), 1)
})

t.test('a step that needs a supplement waits, then resumes when it arrives', async (t) => {
  const { app, sys, token } = await gateway(t)
  const filed = (await fileCase(app, token, 'birth', birthFiling(2, { documents: [{ code: 'TK', name: 'Tờ khai' }] }))).json()
  const waiting = await waitForCase(app, token, filed.caseId, ['awaiting-supplement'], { portal: true })
  const birth = waiting.steps[0]
  t.match(birth, { id: 'birth', status: 'awaiting-supplement', missing: [{ code: 'GCS' }], supplementDueAt: String })
  t.equal(birth.dossier.status, 5, 'the portal says: supplement requested')
  t.same(waiting.steps.slice(1).map((s: any) => s.status), ['pending', 'pending', 'pending'])

  const none = await post(app, token, '/v1/procedures/cases/00000000-0000-0000-0000-000000000000/supplements', { documents: [] })
  t.equal(none.statusCode, 404)
  const res = await post(app, token, `/v1/procedures/cases/${filed.caseId as string}/supplements`, { documents: [{ code: 'GCS', name: 'Giấy chứng sinh', fileId: 'gcs-2' }] })
  t.equal(res.statusCode, 202, res.body)
  t.same(res.json().resumed, ['birth'])
  const done = await waitForCase(app, token, filed.caseId, ['completed'], { portal: true })
  t.equal(done.steps[0].round, 2, 'asked again with a new step key')
  t.equal(sys.civil.ledger.executions(`${filed.caseId as string}.birth.1`), 1)
  t.equal(sys.civil.ledger.executions(`${filed.caseId as string}.birth.2`), 1)
  const statuses = sys.portal.portal.received(done.steps[0].dossier.code)
  t.same([Number(statuses.dossiers[0].data.TrangThaiHoSo), ...statuses.progress.map((p) => Number(p.data.TrangThai))], [1, 2, 4, 5, 4, 9, 10])
  const again = await post(app, token, `/v1/procedures/cases/${filed.caseId as string}/supplements`, { documents: [{ code: 'X', name: 'x' }] })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'CONFLICT')
})

t.test('a permanent failure stops only the dependants, and the case says so', async (t) => {
  const { app, sys, token } = await gateway(t)
  // a variant of group 2 where the survivor benefit also waits for the residence deregistration
  await putGroup(app, 'death', (g) => {
    g.id = 'death-chain'
    g.steps.find((s: any) => s.id === 'survivor-benefit').after = ['residence-deregistration']
  })
  sys.residence.ledger.force(1, { result: 'refused', reason: 'Không có thông tin thường trú' })
  const filed = (await fileCase(app, token, 'death-chain', deathFiling(3, ['funeral-allowance', 'survivor-benefit']))).json()
  const v = await waitForCase(app, token, filed.caseId, ['completed-with-failures'], { portal: true })
  t.same(v.steps.map((s: any) => [s.id, s.status]), [
    ['death', 'completed'], ['residence-deregistration', 'failed'], ['funeral-allowance', 'completed'], ['survivor-benefit', 'stopped']
  ])
  t.match(v.steps[1], { failure: 'refused', dossier: { status: 8 } })
  t.match(v.steps[3], { reason: /residence-deregistration/, dossier: { status: 3 } })
  t.equal(executionsOf(sys.insurance, filed.caseId, 'survivor-benefit'), 0)
  t.equal(v.dossier.status, 10, 'the parent dossier: processed in part, result returned')
})

t.test('bad filings: problem+json, never a stuck case', async (t) => {
  const { app, token } = await gateway(t)
  const problem = async (group: string, filing: unknown, status: number, code: string, path?: string): Promise<void> => {
    const res = await fileCase(app, token, group, filing)
    t.equal(res.statusCode, status, res.body)
    t.match(res.headers['content-type'], /application\/problem\+json/)
    t.equal(res.json().code, code)
    if (path !== undefined) t.ok(res.json().errors.some((e: any) => e.path === path), `${path}: ${res.body}`)
  }
  const noMotherPin = birthFiling(10)
  delete (noMotherPin.mother as any).personalId
  await problem('birth', noMotherPin, 400, 'VALIDATION_FAILED', '/body/mother/personalId')
  const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10)
  await problem('birth', birthFiling(11, { child: { ...(birthFiling(11).child as object), dateOfBirth: future } }), 400, 'VALIDATION_FAILED', '/body/child/dateOfBirth')
  await problem('nope', birthFiling(12), 404, 'NOT_FOUND')
  await problem('death', deathFiling(13, ['funeral-allowance'], { beneficiary: undefined }), 400, 'VALIDATION_FAILED', '/body/beneficiary')
  await problem('death', deathFiling(14, ['marriage']), 400, 'VALIDATION_FAILED', '/body/procedures/0')
  await problem('birth', birthFiling(15, { dossierCode: '000.00.02.H22-250715-0015' }), 400, 'VALIDATION_FAILED', '/body/dossierCode')
  const { rows } = await app.db.query('SELECT count(*)::int AS n FROM procedure_cases')
  t.equal(rows[0].n, 0, 'nothing recorded')
  const other = await tokenFor(app, ['system'], ['dossier.sync'])
  const forbidden = await fileCase(app, other, 'birth', birthFiling(16))
  t.equal(forbidden.statusCode, 403)
})

t.test('withdrawal: open steps cancelled, their dossiers withdrawn (7)', async (t) => {
  const { app, sys, token } = await gateway(t)
  const filed = (await fileCase(app, token, 'birth', birthFiling(20, { documents: [] }))).json()
  await waitForCase(app, token, filed.caseId, ['awaiting-supplement'])
  const res = await post(app, token, `/v1/procedures/cases/${filed.caseId as string}/cancel`, { reason: 'Gia đình nộp lại tại bộ phận một cửa' })
  t.equal(res.statusCode, 200, res.body)
  const v = await waitForCase(app, token, filed.caseId, ['cancelled'], { portal: true })
  t.same(v.steps.map((s: any) => s.status), ['cancelled', 'cancelled', 'cancelled', 'cancelled'])
  t.same(v.steps.filter((s: any) => s.dossier !== undefined).map((s: any) => s.dossier.status), [7, 7, 7])
  t.equal(v.dossier.status, 7)
  t.same(sys.portal.portal.duplicates(), [])
  const twice = await post(app, token, `/v1/procedures/cases/${filed.caseId as string}/cancel`, { reason: 'again' })
  t.equal(twice.statusCode, 409)
})
