import type { FastifyInstance } from 'fastify'
import { listCheckpoints } from '../../audit/checkpoint-store.js'
import { badCursor, pageOf, pageSchema, readPage } from '../../lib/page.js'
import { verifyTrail, type Witness } from '../../audit/verify.js'
import { readWitness, parseCheckpointLines } from '../../audit/witness.js'
import { checkpointsQuery, verifyAnswer, verifyQuery, type CheckpointsQuery, type VerifyQuery } from './schemas.js'

/** A signed checkpoint as stored and as kept by witnesses (docs/audit.md §3). */
const checkpoint = {
  type: 'object',
  required: ['n', 'seq', 'hash', 'at', 'prev', 'kid', 'instance', 'digest', 'signature', 'timestamp'],
  additionalProperties: true,
  properties: {
    n: { type: 'string' },
    seq: { type: 'string' },
    hash: { type: 'string' },
    at: { type: 'string' },
    prev: { type: 'string' },
    kid: { type: 'string' },
    instance: { type: 'string' },
    digest: { type: 'string' },
    signature: { type: 'string' },
    timestamp: { type: ['string', 'null'], description: 'RFC 3161 time-stamp token (base64), null when none was obtained' }
  }
}
const signingKey = { type: 'object', additionalProperties: true, properties: { kid: { type: 'string' } } }

/** Largest witness an auditor may POST to /v1/audit/verify (a checkpoint with its token is about 2 KB). */
const WITNESS_BODY_LIMIT = 64 * 1024 * 1024

/**
 * Checkpoints, keys and the verification against them (docs/audit.md §3): what an external party polls and keeps,
 * and checks the trail with. Registered inside the auditor routes (role `auditor`).
 */
export function checkpointRoutes (app: FastifyInstance, date: (name: string, value: string | undefined) => Date | undefined): void {
  const service = app.auditTrail.checkpoints

  app.get<{ Querystring: CheckpointsQuery }>('/v1/audit/checkpoints', {
    schema: { tags: ['audit'], summary: 'Signed checkpoints of the chain after a number, oldest first, paginated', querystring: checkpointsQuery, response: { 200: pageSchema(checkpoint) } }
  }, async (request) => {
    const page = readPage(request.query, 100)
    if (page.after !== undefined && !/^\d{1,19}$/.test(page.after)) throw badCursor()
    const rows = await listCheckpoints(app.dbRead, page.after ?? request.query.after ?? '0', page.limit + 1)
    return pageOf(rows, page.limit, (c) => c.n)
  })

  app.get('/v1/audit/keys', {
    schema: { tags: ['audit'], summary: 'Public keys that sign checkpoints, with their validity', response: { 200: pageSchema(signingKey) } }
  }, async () => ({ items: service.trust.keys.list, nextCursor: null }))

  const verify = async (q: VerifyQuery, witness?: Witness): Promise<unknown> =>
    await verifyTrail(app.dbRead, { from: date('from', q.from), to: date('to', q.to) }, service.trust, witness)

  app.get<{ Querystring: VerifyQuery }>('/v1/audit/verify', {
    schema: { tags: ['audit'], summary: 'Recompute the hash chain and check it against the signed checkpoints (witness=local: and this instance\'s witness files)', querystring: verifyQuery, response: { 200: verifyAnswer } }
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
      schema: { tags: ['audit'], summary: 'Verify as GET does, against the checkpoints posted (NDJSON) as the witness', querystring: verifyQuery, consumes: ['application/x-ndjson'], response: { 200: verifyAnswer } }
    }, async (request) => {
      const read = parseCheckpointLines(typeof request.body === 'string' ? request.body : '')
      return await verify(request.query, { source: 'posted', checkpoints: read.checkpoints, unreadable: read.unreadable })
    })
  })
}
