import type { FastifyInstance } from 'fastify'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { ResolveInput, ResolveResult } from '../../admin-units/index.js'
import { Bulkhead } from '../../lib/bulkhead.js'
import { ServiceUnavailable } from '../../errors.js'
import { resolveBody, resolveResult, TAGS } from './schemas.js'

/** Candidates answered per result at most; `candidatesTotal` says how many there were when cut. */
export const MAX_CANDIDATES = 10
/** Items resolved between two turns of the event loop: other requests are served in between. */
const CHUNK = 100
/** Resolve requests worked on at once per instance, waiting at most, and how long one may wait. */
const CONCURRENT = 2
const QUEUED = 8
const WAIT_MS = 2000

const cut = (r: ResolveResult): ResolveResult => r.candidates === undefined || r.candidates.length <= MAX_CANDIDATES
  ? r
  : { ...r, candidates: r.candidates.slice(0, MAX_CANDIDATES), candidatesTotal: r.candidates.length }

/**
 * Old province / district / commune codes or names, with the date of the record → today's units. A name can cost
 * a third of a millisecond and match dozens of units, so (issue 22 #9): the caller's rate limit as for lookups,
 * before the body is read; a bounded number of requests worked on at once (the rest wait briefly or get a fast
 * 503); 100 items per turn of the event loop; at most 10 candidates per result.
 */
export default async function resolveRoutes (app: FastifyInstance): Promise<void> {
  const working = new Bulkhead(CONCURRENT, QUEUED, WAIT_MS, () => Object.assign(
    new ServiceUnavailable('Too many resolve requests are being worked on; retry in a second'), { retryAfterSeconds: 1 }))

  async function resolveAll (items: ResolveInput[]): Promise<ResolveResult[]> {
    const out: ResolveResult[] = []
    for (let i = 0; i < items.length; i += CHUNK) {
      if (i > 0) await nextTurn()
      for (const r of app.adminUnits.resolve(items.slice(i, i + CHUNK))) out.push(cut(r))
    }
    return out
  }

  app.post<{ Body: { items: ResolveInput[] } }>('/v1/admin-units/resolve', {
    onRequest: app.limits.forService(() => 'admin-units.resolve'),
    schema: {
      tags: TAGS,
      summary: 'Resolve up to 1,000 old codes or names (with a date) to today\'s units, in the same order',
      description: `At most ${MAX_CANDIDATES} candidates per result (candidatesTotal gives the number when cut). Rate limited per client like lookups.`,
      body: resolveBody,
      problems: [429],
      response: { 200: { type: 'object', properties: { results: { type: 'array', items: resolveResult } } } }
    }
  }, async (request) => ({ results: await working.run(async () => await resolveAll(request.body.items)) }))
}
