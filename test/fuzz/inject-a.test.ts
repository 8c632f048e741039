import t from 'tap'
import { injectFuzz } from './inject-run.js'

/** Requests 0–4,999 of the inject fuzz (inject-run.ts); inject-b.test.ts runs the next 5,000 in parallel. */
t.test('hostile requests 0–4,999 on every route: no 5xx, problem+json errors, still healthy, no pollution, no leak', async (t) => {
  await injectFuzz(t, 0, Number(process.env.FUZZ_REQUESTS ?? 10_000) / 2)
})
