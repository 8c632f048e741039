import t from 'tap'
import { tokenFor } from '../helper.js'
import { birthFiling, deathFiling, fileCase, gateway, getCase, post, putGroup, quickRetries, waitFor, waitForCase } from './helper.js'

t.setTimeout(120_000)

const auth = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

t.test('admin: a step out of retries is retried or skipped with a reason (audited); cases listed by page', async (t) => {
  const { app, sys, token } = await gateway(t)
  await putGroup(app, 'birth', (g) => { for (const s of g.steps) s.onFailure = { ...s.onFailure, retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 } } })
  const admin = await tokenFor(app, ['admin'])
  const auditor = await tokenFor(app, ['auditor'])
  sys.insurance.faults.set({ status: 503 })
  const a = (await fileCase(app, token, 'birth', birthFiling(1))).json()
  const b = (await fileCase(app, token, 'birth', birthFiling(2))).json()
  for (const c of [a, b]) await waitForCase(app, token, c.caseId, ['needs-attention'])
  const stuck = await getCase(app, token, a.caseId)
  t.match(stuck.steps[3], { id: 'insurance-card', status: 'failed', failure: 'exhausted', dossier: { status: 4 } })

  const list = await app.inject({ method: 'GET', url: '/v1/admin/procedure-cases?status=needs-attention&group=birth&province=01&limit=1', headers: auth(admin) })
  t.equal(list.statusCode, 200, list.body)
  t.equal(list.json().items.length, 1)
  t.type(list.json().nextCursor, 'string')
  const next = await app.inject({ method: 'GET', url: `/v1/admin/procedure-cases?status=needs-attention&limit=1&cursor=${list.json().nextCursor as string}`, headers: auth(admin) })
  t.equal(next.json().items.length, 1)
  t.equal(next.json().nextCursor, null)
  t.same(new Set([list.json().items[0].id, next.json().items[0].id]), new Set([a.caseId, b.caseId]))
  t.equal((await app.inject({ method: 'GET', url: '/v1/admin/procedure-cases?status=completed', headers: auth(admin) })).json().items.length, 0)
  t.equal((await app.inject({ method: 'GET', url: '/v1/admin/procedure-cases?cursor=bad', headers: auth(admin) })).statusCode, 400)
  t.equal((await app.inject({ method: 'GET', url: '/v1/admin/procedure-cases', headers: auth(token) })).statusCode, 403)

  const noReason = await post(app, admin, `/v1/admin/procedure-cases/${a.caseId as string}/steps/insurance-card/retry`, {})
  t.equal(noReason.statusCode, 400)
  t.equal((await post(app, admin, `/v1/admin/procedure-cases/${a.caseId as string}/steps/birth/retry`, { reason: 'x' })).statusCode, 409, 'a completed step is not retried')

  sys.insurance.faults.reset()
  const retried = await post(app, admin, `/v1/admin/procedure-cases/${a.caseId as string}/steps/insurance-card/retry`, { reason: 'BHXH system back after maintenance' })
  t.equal(retried.statusCode, 200, retried.body)
  const done = await waitForCase(app, token, a.caseId, ['completed'], { portal: true })
  t.equal(done.steps[3].attempts.length, 3)
  t.equal(sys.insurance.ledger.executions(`${a.caseId as string}.insurance-card.1`), 1, 'same step key, executed once')

  const skipped = await post(app, admin, `/v1/admin/procedure-cases/${b.caseId as string}/steps/insurance-card/skip`, { reason: 'Card issued at the counter' })
  t.equal(skipped.statusCode, 200)
  const bv = await waitForCase(app, token, b.caseId, ['completed-with-failures'], { portal: true })
  t.match(bv.steps[3], { status: 'skipped', reason: /Card issued at the counter/, dossier: { status: 8 } })

  await waitFor(async () => {
    const ev = await app.inject({ method: 'GET', url: `/v1/audit/events?caseId=${b.caseId as string}&kind=procedure.action`, headers: auth(auditor) })
    return ev.json().items.some((e: any) => e.details.action === 'skip' && e.details.reason === 'Card issued at the counter')
  }, 10_000, 'the skip in the audit trail')
  const { rows } = await app.db.query('SELECT action, reason, by_client FROM procedure_step_actions ORDER BY id')
  t.same(rows.map((r) => r.action), ['retry', 'skip'])
})

t.test('groups as data: admin PUT checked (cycle, dangling input), export and import round trip', async (t) => {
  const { app, token } = await gateway(t)
  const admin = await tokenFor(app, ['admin'])
  const groups = await app.inject({ method: 'GET', url: '/v1/admin/procedure-groups', headers: auth(admin) })
  t.same(groups.json().items.map((g: any) => g.id), ['birth', 'death'])
  t.equal(groups.json().nextCursor, null)
  const birth = (await app.inject({ method: 'GET', url: '/v1/admin/procedure-groups/birth', headers: auth(admin) })).json()

  const cyclic = structuredClone(birth)
  cyclic.steps[0].after = ['residence']
  const refused = await app.inject({ method: 'PUT', url: '/v1/admin/procedure-groups/birth', headers: auth(admin), payload: cyclic })
  t.equal(refused.statusCode, 400)
  t.equal(refused.json().code, 'VALIDATION_FAILED')
  t.match(refused.json().errors, [{ path: '/body/steps', message: /cycle: (birth|pin|residence)( → \w+)+/ }])

  const dangling = structuredClone(birth)
  dangling.steps[2].inputs.personalId = 'pin:/pinNumber'
  dangling.steps[3].inputs.fullName = 'filing:/child/name'
  dangling.steps[3].inputs.gender = 'passport:/gender'
  const d = await app.inject({ method: 'PUT', url: '/v1/admin/procedure-groups/birth', headers: auth(admin), payload: dangling })
  t.equal(d.statusCode, 400)
  t.same(d.json().errors.map((e: any) => e.path).sort(), ['/body/steps/2/inputs/personalId', '/body/steps/3/inputs/fullName', '/body/steps/3/inputs/gender'])
  t.match(d.json().errors.find((e: any) => e.path === '/body/steps/3/inputs/gender').message, /dangling input: there is no step "passport"/)

  const exported = (await app.inject({ method: 'GET', url: '/v1/admin/config', headers: auth(admin) })).json()
  t.same(exported.procedureGroups.map((g: any) => g.id), ['birth', 'death'])
  const same = await app.inject({ method: 'PUT', url: '/v1/admin/config', headers: auth(admin), payload: exported })
  t.equal(same.statusCode, 200, same.body)
  t.same(same.json().changes.filter((c: any) => c.kind === 'procedure-group').map((c: any) => c.action), ['unchanged', 'unchanged'])

  const changed = structuredClone(exported)
  changed.procedureGroups[0].steps[3].deadlineWorkingDays = 2
  changed.procedureGroups.pop()
  const dry = await app.inject({ method: 'PUT', url: '/v1/admin/config?dryRun=true', headers: auth(admin), payload: changed })
  t.same(dry.json().changes.filter((c: any) => c.kind === 'procedure-group').map((c: any) => `${c.id as string}:${c.action as string}`), ['birth:update', 'death:delete'])
  const bad = structuredClone(exported)
  bad.procedureGroups[1].steps[1].inputs.deathExtractNo = 'death:/nothing'
  const badImport = await app.inject({ method: 'PUT', url: '/v1/admin/config', headers: auth(admin), payload: bad })
  t.equal(badImport.statusCode, 400)
  t.equal(badImport.json().errors[0].path, '/body/procedureGroups/1/steps/1/inputs/deathExtractNo')
  const applied = await app.inject({ method: 'PUT', url: '/v1/admin/config', headers: auth(admin), payload: changed })
  t.equal(applied.statusCode, 200, applied.body)
  t.equal((await fileCase(app, token, 'death', deathFiling(1))).statusCode, 404, 'the removed group takes no filing')
  const after = (await app.inject({ method: 'GET', url: '/v1/admin/procedure-groups/birth', headers: auth(admin) })).json()
  t.equal(after.steps[3].deadlineWorkingDays, 2)
})

t.test('one trace and one audit story per case; overdue steps flagged on the case and in metrics', async (t) => {
  const { app, sys, token } = await gateway(t)
  await putGroup(app, 'birth', quickRetries)
  const auditor = await tokenFor(app, ['auditor'])
  sys.residence.faults.set({ errorRate: 0.5 })
  const filed = (await fileCase(app, token, 'birth', birthFiling(1))).json()
  await waitForCase(app, token, filed.caseId, ['completed'], { portal: true })
  let events: any[] = []
  await waitFor(async () => {
    const res = await app.inject({ method: 'GET', url: `/v1/audit/events?caseId=${filed.caseId as string}&limit=100`, headers: auth(auditor) })
    events = res.json().items
    return events.filter((e) => e.kind === 'procedure.step' && e.outcome === 'ok').length === 4
  }, 10_000, 'the step events')
  const steps = events.filter((e) => e.kind === 'procedure.step')
  t.same(new Set(steps.map((e) => `${e.details.step as string}:${e.purpose as string}`)),
    new Set(['birth:1.001193', 'pin:1.001193', 'residence:1.004194', 'insurance-card:1.011451']), 'purpose = the procedure code')
  t.ok(steps.every((e) => e.traceId === filed.traceId), 'every step call in the case trace')
  t.ok(events.some((e) => e.kind === 'procedure.filed'))
  t.notMatch(JSON.stringify(events), /001195012345|001090012345/, 'no identifier in clear in the trail')
  const trace = (await app.inject({ method: 'GET', url: `/v1/audit/traces/${filed.traceId as string}`, headers: auth(auditor) })).json()
  const hops = trace.hops.map((h: any) => h.hop)
  t.equal(hops[0], 'filed')
  t.match(trace.hops[0].steps, [{ id: 'birth', dependsOn: [] }, { id: 'pin', dependsOn: ['birth'] }, { id: 'residence' }, { id: 'insurance-card' }])
  t.ok(trace.hops.filter((h: any) => h.hop === 'step.call').length >= 4)
  t.ok(trace.hops.some((h: any) => h.hop === 'delivered'), 'the portal deliveries of the case in the same trace')

  // deadlines: a case still running long after is flagged overdue
  sys.insurance.faults.set({ status: 503 })
  const slow = (await fileCase(app, token, 'birth', birthFiling(2))).json()
  await waitFor(async () => (await getCase(app, token, slow.caseId)).steps[3].status === 'retrying', 10_000, 'insurance retrying')
  const swept = await app.procedures.sweep(new Date(Date.now() + 30 * 86_400_000))
  t.ok(swept.overdue >= 1)
  const v = await getCase(app, token, slow.caseId)
  t.equal(v.overdue, true)
  t.equal(v.steps[3].overdue, true)
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(metrics, /lienthong_procedure_steps_overdue\{[^}]*group="birth"[^}]*\} 1/)
  t.match(metrics, /lienthong_procedure_cases\{[^}]*status="completed"[^}]*\} 1/)
  sys.insurance.faults.reset()
})
