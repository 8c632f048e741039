import type { FastifyError, FastifyInstance } from 'fastify'
import { Unauthorized, UnsupportedGrantType, ValidationFailed } from '../../errors.js'
import { credentialsOf, type TokenBody } from './credentials.js'
import { oauthErrorResponses, sendOAuthError } from './oauth-errors.js'

const tokenBody = {
  type: 'object',
  properties: {
    grant_type: { type: 'string', maxLength: 64 },
    client_id: { type: 'string', maxLength: 64 },
    client_secret: { type: 'string', maxLength: 256 },
    scope: { type: 'string', maxLength: 256 }
  },
  // RFC 6749 §3.2: unrecognised parameters are ignored (bounded here); a repeated one arrives as a list: 400.
  additionalProperties: { type: 'string', maxLength: 1024 },
  maxProperties: 20
} as const

/**
 * POST /v1/auth/token: OAuth 2.0 client credentials (RFC 6749 §4.4), form-encoded or JSON, the client authenticated
 * by HTTP Basic or by client_id and client_secret in the body. Errors in RFC 6749 §5.2 form. Limits, cheapest
 * first: per address before the body is read; per credentials (the ones actually checked) before the secret is
 * hashed; and a bound on secrets being hashed at once (src/auth/clients.ts).
 */
export default async function tokenRoutes (app: FastifyInstance): Promise<void> {
  app.setErrorHandler((err: FastifyError, request, reply) => sendOAuthError(request, reply, err))
  const perAddress = app.limits.limit({
    what: 'token requests from this address',
    max: app.config.tokenRatePerAddressPerMinute,
    windowMs: 60_000,
    key: (request) => `token-address:${request.ip}`
  })
  const perCredentials = app.limits.limit({
    what: 'token requests for this client id from this address',
    max: app.config.tokenRatePerMinute,
    windowMs: 60_000,
    key: (request) => `token:${request.authFailure?.claimedClientId?.slice(0, 64) ?? '-'}:${request.ip}`
  })
  app.addHook('onRequest', perAddress)

  app.post<{ Body: TokenBody }>('/v1/auth/token', {
    schema: {
      tags: ['identity'],
      summary: 'Get an access token (OAuth 2.0 client credentials)',
      description: 'Client credentials as HTTP Basic or in the body (RFC 6749 §2.3.1), the body form-encoded or JSON. ' +
        'Errors are RFC 6749 §5.2 (`error`, `error_description`) with the problem fields beside them (docs/api-conventions.md).',
      security: [],
      consumes: ['application/x-www-form-urlencoded', 'application/json'],
      body: tokenBody,
      response: {
        200: {
          description: 'An access token (a JWT, ES256, `typ: at+jwt`)',
          type: 'object',
          required: ['access_token', 'token_type', 'expires_in'],
          properties: { access_token: { type: 'string' }, token_type: { type: 'string', enum: ['Bearer'] }, expires_in: { type: 'integer' } }
        },
        ...oauthErrorResponses([400, 401, 413, 415, 429, 500, 503])
      }
    }
  }, async (request, reply) => {
    const body = request.body ?? {}
    if (body.grant_type === undefined) throw Object.assign(new ValidationFailed('grant_type is required'), { errors: [{ path: '/grant_type', message: 'is required' }] })
    if (body.grant_type !== 'client_credentials') throw new UnsupportedGrantType('grant_type must be client_credentials')
    const credentials = credentialsOf(body, request.headers.authorization)
    // What the audit's auth.failed event names, and what the limit below counts: the id that is checked.
    request.authFailure = { reason: credentials === undefined ? 'missing_credentials' : 'bad_credentials', claimedClientId: credentials?.id ?? body.client_id }
    if (credentials === undefined) throw new Unauthorized('Client authentication is required: HTTP Basic, or client_id and client_secret')
    await perCredentials(request, reply)
    const client = await app.clients.authenticate(credentials.id, credentials.secret)
    if (client === undefined) throw new Unauthorized('Invalid client credentials')
    request.authFailure = undefined
    const { accessToken, expiresIn } = app.tokens.issue(client)
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
    return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn }
  })
}
