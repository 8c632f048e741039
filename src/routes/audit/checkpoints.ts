import type { FastifyInstance } from 'fastify'
import { ValidationFailed } from '../../errors.js'
import { listCheckpoints } from '../../audit/checkpoint-store.js'
import { verifyTrail, type Witness } from '../../audit/verify.js'
import { readWitness, parseCheckpointLines } from '../../audit/witness.js'
import { checkpointsQuery, verifyQuery, type CheckpointsQuery, type VerifyQuery } from './schemas.js'

const encodeCursor = (n: string): string => Buffer.from(`cp:${n}`).toString('base64url')

function decodeCursor (cursor: string): string {
  const m = /^cp:(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (m === null) throw Object.assign(new ValidationFailed('cursor is not one this API gave'), { errors: [{ path: 'querystring/cursor', message: 'is invalid' }] })
  return m[1]
}

/** Largest witness an auditor may POST to /v1/audit/verify (a checkpoint with its token is about 2 KB). */
const WITNESS_BODY_LIMIT = 64 * 1024 * 1024

/**
 * Checkpoints, keys and the verification against them (docs/audit.md §3): what an external party polls and keeps,
 * and checks the trail with. Registered inside the auditor routes (role `auditor`).
 */
export function checkpointRoutes (app: FastifyInstance, date: (name: string, value: string | undefined) => Date | undefined): void {
  const service = app.auditTrail.checkpoints

  app.get<{ Querystring: CheckpointsQuery }>('/v1/audit/checkpoints', {
    schema: { tags: ['audit'], summary: 'Signed checkpoints of the chain after a number, oldest first, paginated', querystring: checkpointsQuery }
  }, async (request) => {
    const q = request.query
    const after = q.cursor !== undefined ? decodeCursor(q.cursor) : (q.after ?? '0')
    const limit = q.limit !== undefined ? Number(q.limit) : 100
    const rows = await listCheckpoints(app.db, after, limit + 1)
    const items = rows.slice(0, limit)
    return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].n) : null }
  })

  app.get('/v1/audit/keys', {
    schema: { tags: ['audit'], summary: 'Public keys that sign checkpoints, with their validity' }
  }, async () => ({ items: service.trust.keys.list, nextCursor: null }))

  const verify = async (q: VerifyQuery, witness?: Witness): Promise<unknown> =>
    await verifyTrail(app.db, { from: date('from', q.from), to: date('to', q.to) }, service.trust, witness)

  app.get<{ Querystring: VerifyQuery }>('/v1/audit/verify', {
    schema: { tags: ['audit'], summary: 'Recompute the hash chain and check it against the signed checkpoints (witness=local: and this instance\'s witness files)', querystring: verifyQuery }
  }, async (request) => {
    let witness: Witness | undefined
    if (request.query.witness === 'local') {
      const read = await readWitness(service.witnessDir, service.tag)
      witness = { source: `local (${read.files} files)`, checkpoints: read.checkpoints, unreadable: read.unreadable }
    }
    return await verify(request.query, witness)
  })

  // An auditor's own copy of the checkpoints (NDJSON, as polled from GET /v1/audit/checkpoints) as the witness.
  app.register(async (scoped) => {
    scoped.addContentTypeParser('application/x-ndjson', { parseAs: 'string', bodyLimit: WITNESS_BODY_LIMIT }, (_req, body, done) => { done(null, body) })
    scoped.post<{ Querystring: VerifyQuery, Body: string }>('/v1/audit/verify', {
      bodyLimit: WITNESS_BODY_LIMIT,
      schema: { tags: ['audit'], summary: 'Verify as GET does, against the checkpoints posted (NDJSON) as the witness', querystring: verifyQuery }
    }, async (request) => {
      const read = parseCheckpointLines(typeof request.body === 'string' ? request.body : '')
      return await verify(request.query, { source: 'posted', checkpoints: read.checkpoints, unreadable: read.unreadable })
    })
  })
}
