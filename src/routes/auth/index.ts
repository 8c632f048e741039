import type { FastifyInstance } from 'fastify'
import { Unauthorized, ValidationFailed } from '../../errors.js'

interface TokenBody { grant_type?: string, client_id?: string, client_secret?: string, scope?: string }

const tokenBody = {
  type: 'object',
  properties: {
    grant_type: { type: 'string', maxLength: 64 },
    client_id: { type: 'string', maxLength: 64 },
    client_secret: { type: 'string', maxLength: 256 },
    scope: { type: 'string', maxLength: 256 }
  },
  additionalProperties: false
} as const

const jwks = {
  description: 'The keys that verify the gateway\'s tokens (RFC 7517)',
  type: 'object',
  required: ['keys'],
  properties: { keys: { type: 'array', items: { type: 'object', required: ['kty', 'kid'], additionalProperties: true, properties: { kty: { type: 'string' }, kid: { type: 'string' } } } } }
}

/** Credentials from the body, or from HTTP Basic as RFC 6749 §2.3.1 allows. */
function credentials (body: TokenBody, authorization: string | undefined): { id: string, secret: string } {
  if (authorization?.startsWith('Basic ') === true) {
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8')
    const i = decoded.indexOf(':')
    if (i > 0) return { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) }
  }
  if (typeof body.client_id !== 'string' || typeof body.client_secret !== 'string') {
    throw new Unauthorized('client_id and client_secret are required')
  }
  return { id: body.client_id, secret: body.client_secret }
}

/** OAuth2 client credentials (form-encoded or JSON) and the public keys that verify the tokens. */
export default async function authRoutes (app: FastifyInstance): Promise<void> {
  app.post<{ Body: TokenBody }>('/v1/auth/token', {
    schema: {
      tags: ['identity'],
      summary: 'Get an access token (OAuth2 client credentials)',
      description: 'Client credentials in the body or as HTTP Basic (RFC 6749 §2.3.1); the body form-encoded or JSON.',
      security: [],
      consumes: ['application/x-www-form-urlencoded', 'application/json'],
      body: tokenBody,
      // 401: unknown client or wrong secret
      problems: [401, 429],
      response: {
        200: {
          description: 'An access token (a JWT, ES256)',
          type: 'object',
          required: ['access_token', 'token_type', 'expires_in'],
          properties: { access_token: { type: 'string' }, token_type: { type: 'string', enum: ['Bearer'] }, expires_in: { type: 'integer' } }
        }
      }
    }
  }, async (request, reply) => {
    const body = request.body ?? {}
    if (body.grant_type !== 'client_credentials') {
      throw new ValidationFailed('grant_type must be client_credentials')
    }
    const { id, secret } = credentials(body, request.headers.authorization)
    const client = await app.clients.authenticate(id, secret)
    if (client === undefined) throw new Unauthorized('Invalid client credentials')
    const { accessToken, expiresIn } = app.tokens.issue(client)
    void reply.header('cache-control', 'no-store')
    return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn }
  })

  app.get('/.well-known/jwks.json', { schema: { tags: ['identity'], summary: 'Public keys of the gateway', security: [], response: { 200: jwks } } },
    async (_request, reply) => {
      void reply.header('cache-control', 'public, max-age=300')
      return app.tokens.jwks()
    })
}
