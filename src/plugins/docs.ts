import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { loadSchemas } from '../catalog/schemas.js'

/**
 * OpenAPI document at /openapi.json and the interactive docs at /docs, generated from the route schemas
 * and the service schemas of `schemas/` (the same files the gateway validates with).
 */
export default fp(async function docs (app) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Liên thông Gateway',
        version: '1',
        description: 'National integration gateway: lookups of the national systems and dossier deliveries to the National Public Service Portal.'
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        schemas: Object.fromEntries(loadSchemas().map((s) => [String(s.$id), s]))
      },
      security: [{ bearer: [] }]
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}, { name: 'docs' })
