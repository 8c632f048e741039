import type { BatchObservableResult } from '@opentelemetry/api'
import type { FastifyInstance } from 'fastify'

/**
 * Gauges of the procedures on /metrics: cases by group and status, steps past their deadline by group and step
 * (the sweeper flags them), steps waiting to run or retrying. Read from PostgreSQL at scrape time (bounded wait).
 * Returns the function that removes them.
 */
export function procedureMetrics (app: FastifyInstance): () => void {
  if (!app.hasDecorator('meter')) return () => {}
  const meter = app.meter
  const cases = meter.createObservableGauge('lienthong.procedure.cases', { description: 'Interlinked procedure cases by group and status' })
  const overdue = meter.createObservableGauge('lienthong.procedure.steps.overdue', { description: 'Steps past their deadline (working days) not yet done, by group and step' })
  const steps = meter.createObservableGauge('lienthong.procedure.steps', { description: 'Steps not yet done by status' })
  const observe = async (r: BatchObservableResult): Promise<void> => {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, 1000) })
    const read = async (): Promise<void> => {
      const c = await app.db.query<{ group_id: string, status: string, n: number }>('SELECT group_id, status, count(*)::int AS n FROM procedure_cases GROUP BY 1, 2')
      for (const row of c.rows) r.observe(cases, row.n, { group: row.group_id, status: row.status })
      const o = await app.db.query<{ group_id: string, step_id: string, n: number }>(`SELECT c.group_id, s.step_id, count(*)::int AS n
        FROM procedure_steps s JOIN procedure_cases c ON c.id = s.case_id
        WHERE s.overdue AND s.status IN ('pending', 'ready', 'running', 'retrying', 'awaiting-supplement') GROUP BY 1, 2`)
      for (const row of o.rows) r.observe(overdue, row.n, { group: row.group_id, step: row.step_id })
      const s = await app.db.query<{ status: string, n: number }>(`SELECT status, count(*)::int AS n FROM procedure_steps
        WHERE status IN ('pending', 'ready', 'running', 'retrying', 'awaiting-supplement', 'failed') GROUP BY 1`)
      for (const row of s.rows) r.observe(steps, row.n, { status: row.status })
    }
    await Promise.race([read(), late])
      .catch((err) => app.log.debug({ err: (err as Error).message }, 'procedure metrics unavailable'))
      .finally(() => clearTimeout(timer))
  }
  meter.addBatchObservableCallback(observe, [cases, overdue, steps])
  return () => { meter.removeBatchObservableCallback(observe, [cases, overdue, steps]) }
}
