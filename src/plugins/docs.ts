import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { TAGS, finishDocument, type OpenApiDocument } from '../openapi/document.js'
import { documentRoute } from '../openapi/operation.js'

/**
 * The OpenAPI 3.1 document at /openapi.json and the interactive docs at /docs, generated from the route schemas,
 * the shared schemas of `schemas/` (the same files the gateway validates with, as components under their `$id`)
 * and the rules every route follows (src/openapi/). A route is documented by declaring its fastify schema: see
 * docs/api-conventions.md. Register before the routes.
 */
export default fp(async function docs (app) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Liên thông Gateway',
        version: '1',
        description: 'National integration gateway: lookups of the national systems and dossier deliveries to the ' +
          'National Public Service Portal. Errors are `application/problem+json` with a stable `code`; lists are pages ' +
          '`{ items, nextCursor }`; see docs/api-conventions.md.',
        license: { name: 'MIT', identifier: 'MIT' }
      },
      servers: [{ url: '/', description: 'The gateway serving this document' }],
      tags: TAGS,
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from POST /v1/auth/token.' }
        }
      },
      security: [{ bearer: [] }]
    },
    // shared schemas are components named by their $id (not def-0, def-1 …)
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` },
    transform: documentRoute,
    transformObject: (doc) => 'openapiObject' in doc ? finishDocument(doc.openapiObject as unknown as OpenApiDocument) as object : doc.swaggerObject
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
  app.get('/openapi.json', {
    schema: {
      tags: ['operations'],
      summary: 'This OpenAPI document',
      security: [],
      response: { 200: { description: 'An OpenAPI 3.1 document', type: 'object', additionalProperties: true } }
    }
  }, async () => app.swagger())
}, { name: 'docs' })
