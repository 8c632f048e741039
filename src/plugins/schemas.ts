import fp from 'fastify-plugin'
import { loadSchemas } from '../catalog/schemas.js'

/**
 * The JSON Schemas of `schemas/` as fastify shared schemas: route schemas refer to them by `$id` (`{ $ref: 'delivery#' }`)
 * and the OpenAPI document lists them as its components under the same names.
 */
export default fp(async function schemas (app) {
  for (const schema of loadSchemas()) app.addSchema(schema)
}, { name: 'schemas' })
