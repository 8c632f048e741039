import type { FastifyInstance } from 'fastify'
import { ValidationFailed } from '../../errors.js'
import { auditAdminChange } from './audit-change.js'

interface RevokeBody { token?: string, jti?: string }

/** Admin: revoke an access token by its `jti` (or the token itself); refused on every instance at once. */
export default async function tokenRoutes (app: FastifyInstance): Promise<void> {
  app.post<{ Body: RevokeBody }>('/v1/admin/tokens/revoke', {
    schema: {
      tags: ['admin'],
      summary: 'Revoke an access token, by itself or its jti, on every instance',
      response: { 200: { type: 'object', required: ['revoked', 'until'], properties: { revoked: { type: 'string', description: 'The jti' }, until: { type: 'string', format: 'date-time' } } } },
      body: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        maxProperties: 1,
        properties: { token: { type: 'string', maxLength: 4096 }, jti: { type: 'string', minLength: 1, maxLength: 128 } }
      }
    }
  }, async (request) => {
    let jti = request.body.jti
    // The jti alone: kept as long as any token the gateway accepts may live (the token itself gives its exp).
    let exp = Date.now() + app.revocations.retentionMs
    let clientId: string | undefined
    if (request.body.token !== undefined) {
      let claims: { jti?: string, exp?: number, sub?: string }
      try {
        claims = app.jwt.decode<{ jti?: string, exp?: number, sub?: string }>(request.body.token, { complete: false }) ?? {}
      } catch {
        throw Object.assign(new ValidationFailed('token is not a JWT'), { errors: [{ path: '/body/token', message: 'is not a JWT' }] })
      }
      jti = claims.jti
      clientId = claims.sub
      if (typeof claims.exp === 'number') exp = claims.exp * 1000
    }
    if (typeof jti !== 'string' || jti === '') {
      throw Object.assign(new ValidationFailed('The token carries no jti'), { errors: [{ path: '/body/token', message: 'has no jti' }] })
    }
    await app.revocations.revoke(jti, new Date(exp), clientId, request.principal.clientId)
    auditAdminChange(app, request, { entity: 'token', id: jti, action: 'revoke', after: { clientId, expiresAt: new Date(exp).toISOString() } })
    return { revoked: jti, until: new Date(exp).toISOString() }
  })
}
