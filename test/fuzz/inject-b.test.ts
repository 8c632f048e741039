import t from 'tap'
import { injectFuzz } from './inject-run.js'

/** Requests 5,000–9,999 of the inject fuzz (inject-run.ts); inject-a.test.ts runs the first 5,000. */
t.test('hostile requests 5,000–9,999 on every route: no 5xx, problem+json errors, still healthy, no pollution, no leak', async (t) => {
  const total = Number(process.env.FUZZ_REQUESTS ?? 10_000)
  await injectFuzz(t, total / 2, total)
})
