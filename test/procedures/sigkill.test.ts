import t from 'tap'
import { startWorker } from '../worker-process.js'
import { birthFiling, deathFiling, executionsOf, fileCase, gateway, getCase, waitFor } from './helper.js'

t.setTimeout(600_000)

t.test('the worker killed (SIGKILL) mid-case, many times → every case completes, no step executed twice', async (t) => {
  const { app, sys, token } = await gateway(t, { latencyMs: 40, workers: false })
  const cases: string[] = []
  for (let n = 1; n <= 16; n++) {
    const res = n % 2 === 0
      ? await fileCase(app, token, 'birth', birthFiling(n))
      : await fileCase(app, token, 'death', deathFiling(n, ['funeral-allowance', 'survivor-benefit']))
    t.equal(res.statusCode, 202)
    cases.push(res.json().caseId)
  }
  const executed = (): number => [sys.civil, sys.population, sys.residence, sys.insurance].reduce((n, s) => n + s.ledger.stats().executions, 0)
  const env = { DELIVERY_LOCK_MS: '2000', PROCEDURE_SWEEP_INTERVAL_MS: '1000', PROCEDURE_SWEEP_GRACE_MS: '500', DELIVERY_RECONCILE_INTERVAL_MS: '1000', DELIVERY_RECONCILE_GRACE_MS: '500' }
  let kills = 0
  for (let round = 0; round < 5; round++) {
    const before = executed()
    const { child, exited } = await startWorker(t, app, env)
    // killed once it has executed a few more steps, calls in flight
    await waitFor(() => executed() >= before + 5 || executed() === 64, 60_000, 'progress before the kill')
    child.kill('SIGKILL')
    await exited
    if (child.signalCode === 'SIGKILL') kills++
  }
  t.ok(kills >= 4, `${kills} kills`)
  const { rows: doubt } = await app.db.query('SELECT count(*)::int AS n FROM procedure_step_attempts WHERE outcome IS NULL')
  t.comment(`attempts cut by the last kill: ${doubt[0].n as number}`)

  await startWorker(t, app, env)
  const all = async (): Promise<Array<Record<string, any>>> => await Promise.all(cases.map(async (id) => await getCase(app, token, id)))
  await waitFor(async () => (await all()).every((v) => v.status === 'completed' &&
    [v.dossier, ...v.steps.map((s: any) => s.dossier)].filter((d) => d !== undefined).every((d: any) => d.pendingUpdates === 0)), 180_000, 'every case')
    .catch(async (err) => { t.comment(JSON.stringify((await all()).filter((v) => v.status !== 'completed').slice(0, 2))); throw err })

  let steps = 0
  for (const v of await all()) {
    for (const s of v.steps) {
      const sim = { 'civil-status': sys.civil, population: sys.population, residence: sys.residence, insurance: sys.insurance }[String(s.service).split('.')[0] as 'civil-status']
      t.equal(executionsOf(sim, v.id, s.id), 1, `${v.id as string} ${s.id as string}: executed once (${s.attempts.length as number} attempts)`)
      steps++
      if (s.dossier !== undefined) {
        const got = sys.portal.portal.received(s.dossier.code)
        t.same([Number(got.dossiers[0].data.TrangThaiHoSo), ...got.progress.map((p) => Number(p.data.TrangThai))], [1, 2, 4, 9, 10])
      }
    }
  }
  t.equal(steps, 8 * 4 + 8 * 4)
  t.same(sys.portal.portal.duplicates(), [])
  const { rows } = await app.db.query("SELECT count(*)::int AS n FROM procedure_step_attempts WHERE outcome = 'interrupted'")
  t.ok(rows[0].n >= 1, `${rows[0].n as number} attempts interrupted by the kills, retried with the same step key`)
})
