import t from 'tap'
import { stepJobId } from '../../src/procedures/jobs.js'
import { birthFiling, fileCase, gateway } from './helper.js'

/** Makes the step look older than any grace: long queued behind others, or left by a worker that died. */
async function age (app: Awaited<ReturnType<typeof gateway>>['app'], caseId: string, stepId: string): Promise<void> {
  await app.db.query("UPDATE procedure_steps SET updated_at = now() - interval '1 hour' WHERE case_id = $1 AND step_id = $2", [caseId, stepId])
}

t.test('the sweeper re-queues a step whose job is missing, not one whose job finished while it looked', async (t) => {
  const { app, token } = await gateway(t, { workers: false })
  const { queue } = app.procedures.engine
  const a = (await fileCase(app, token, 'birth', birthFiling(1))).json()
  const b = (await fileCase(app, token, 'birth', birthFiling(2))).json()
  const jobA = stepJobId(a.caseId as string, 'birth')
  const jobB = stepJobId(b.caseId as string, 'birth')
  t.equal(await queue.getJobState(jobA), 'waiting', 'the first step of each case is queued')
  await age(app, a.caseId as string, 'birth')
  await age(app, b.caseId as string, 'birth')

  // a worker runs step A to its end between the sweeper's read of the steps and its look at the job (under load, a
  // sweep of hundreds of long-queued steps takes long enough): the step completed, its job removed on completion
  const getJobState = queue.getJobState.bind(queue)
  let raced = false
  queue.getJobState = async (jobId: string) => {
    if (jobId === jobA && !raced) {
      raced = true
      await app.db.query("UPDATE procedure_steps SET status = 'completed', outputs = '{}', finished_at = now(), updated_at = now() WHERE case_id = $1 AND step_id = 'birth'", [a.caseId])
      await (await queue.getJob(jobA))?.remove()
    }
    return await getJobState(jobId)
  }
  t.teardown(() => { queue.getJobState = getJobState })
  // step B's job is truly missing (its enqueue lost after the commit, say)
  await (await queue.getJob(jobB))?.remove()

  const swept = await app.procedures.sweep()
  t.ok(raced, 'the job of step A finished while the sweeper looked')
  t.equal(swept.requeued, 1, 'only the step whose job was missing')
  t.equal(await getJobState(jobA), 'unknown', 'no job again for the completed step')
  t.equal(await getJobState(jobB), 'waiting', 'the missing job queued again')
  t.equal((await app.procedures.sweep()).requeued, 0, 'a queued job is not missing')
})
