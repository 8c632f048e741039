import type { FastifyInstance, FastifyRequest } from 'fastify'
import tokenRoutes from './token.js'

const URL_LIKE = /^https?:\/\//

/**
 * The OAuth 2.0 authorization server's identifier and base URL: PUBLIC_URL, else JWT_ISSUER when it is a URL,
 * else the URL the caller used (development: set PUBLIC_URL in production, so that a Host header cannot choose it).
 */
function baseUrl (app: FastifyInstance, request: FastifyRequest): string {
  if (app.config.publicUrl !== undefined) return app.config.publicUrl
  if (URL_LIKE.test(app.config.jwt.issuer)) return app.config.jwt.issuer.replace(/\/+$/, '')
  return `${request.protocol}://${request.host}`
}

const jwks = {
  description: 'The keys that verify the gateway\'s tokens (RFC 7517)',
  type: 'object',
  required: ['keys'],
  properties: { keys: { type: 'array', items: { type: 'object', required: ['kty', 'kid'], additionalProperties: true, properties: { kty: { type: 'string' }, kid: { type: 'string' } } } } }
}

const metadata = {
  description: 'Authorization server metadata (RFC 8414)',
  type: 'object',
  required: ['issuer', 'token_endpoint', 'jwks_uri', 'grant_types_supported'],
  additionalProperties: true,
  properties: {
    issuer: { type: 'string' },
    token_endpoint: { type: 'string' },
    jwks_uri: { type: 'string' },
    grant_types_supported: { type: 'array', items: { type: 'string' } },
    token_endpoint_auth_methods_supported: { type: 'array', items: { type: 'string' } },
    response_types_supported: { type: 'array', items: { type: 'string' } },
    service_documentation: { type: 'string' }
  }
}

/** OAuth 2.0 client credentials, the public keys that verify the tokens, and the server's metadata (RFC 8414). */
export default async function authRoutes (app: FastifyInstance): Promise<void> {
  await app.register(tokenRoutes)

  app.get('/.well-known/jwks.json', { schema: { tags: ['identity'], summary: 'Public keys of the gateway', security: [], response: { 200: jwks } } },
    async (_request, reply) => {
      void reply.header('cache-control', 'public, max-age=300')
      return app.tokens.jwks()
    })

  app.get('/.well-known/oauth-authorization-server', {
    schema: { tags: ['identity'], summary: 'OAuth 2.0 authorization server metadata (RFC 8414)', security: [], response: { 200: metadata } }
  }, async (request, reply) => {
    const base = baseUrl(app, request)
    void reply.header('cache-control', 'public, max-age=300')
    return {
      issuer: base,
      token_endpoint: `${base}/v1/auth/token`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      response_types_supported: [],
      service_documentation: `${base}/docs`
    }
  })
}
