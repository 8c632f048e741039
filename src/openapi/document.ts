import { SERVICES } from '../catalog/services.js'
import { camel } from './operation.js'
import { PROBLEM_CODES } from './problem-codes.js'

/** The parts of an OpenAPI 3.1 document this module reads and writes. */
interface Operation {
  operationId?: string
  summary?: string
  description?: string
  tags?: string[]
  parameters?: Array<{ in: string, name: string }>
  requestBody?: unknown
  responses: Record<string, unknown>
}
export interface OpenApiDocument {
  tags?: Array<{ name: string, description?: string }>
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> }
}

/** The areas of the API, in the order the docs list them. */
export const TAGS = [
  { name: 'identity', description: 'Access tokens (OAuth 2.0 client credentials) and the keys that verify them. No token needed.' },
  { name: 'catalogue', description: 'The services a client may use, with their JSON Schemas. Any role.' },
  { name: 'lookups', description: 'Synchronous reads from the national systems, one operation per service. Role `system`, a grant of the service and `X-Purpose`.' },
  { name: 'deliveries', description: 'Dossiers and processing steps delivered to the National Public Service Portal, queued and retried. Role `system`.' },
  { name: 'admin-units', description: 'The dated table of provinces and communes before and after the 2025 reform. Role `system` or `admin`.' },
  { name: 'admin', description: 'Clients, connectors, configuration and deliveries. Role `admin`.' },
  { name: 'procedures', description: 'Interlinked procedures (docs/procedures.md): one filing of a birth or death carried through the chain of national systems, and its case. Role `system`, a grant of `procedure.filing` and an agency the client acts for.' },
  { name: 'events', description: 'Events to provincial systems (docs/events.md): the event types (any role), the pull API (role `system`), the signed push endpoint of national systems (no token: a Standard Webhooks signature), subscriptions and event sources (role `admin`).' },
  { name: 'audit', description: 'The hash-chained audit trail, read-only. Role `auditor`.' },
  { name: 'operations', description: 'Health, metrics and this document. No token needed.' }
]

const ref = (id: string): { $ref: string } => ({ $ref: `#/components/schemas/${id}` })

/** The generic route of the lookups, as fastify has it; the document has one operation per service instead. */
const LOOKUP_TEMPLATE = '/v1/lookups/{serviceId}'

/**
 * One path per lookup service (`POST /v1/lookups/citizen.lookup` …) with its own request and response schemas and
 * operationId, made from the operation of the generic route: what client generators turn into one typed call each.
 */
function expandLookups (doc: OpenApiDocument): void {
  const generic = doc.paths[LOOKUP_TEMPLATE]?.post
  if (generic === undefined) return
  delete doc.paths[LOOKUP_TEMPLATE]
  for (const service of SERVICES.filter((s) => s.kind === 'lookup')) {
    const op: Operation = structuredClone(generic)
    op.operationId = camel(service.id)
    op.summary = service.title
    op.description = `${service.description}\n\nService \`${service.id}\` version ${service.version}.`
    op.parameters = (op.parameters ?? []).filter((p) => !(p.in === 'path' && p.name === 'serviceId'))
    op.requestBody = { required: true, content: { 'application/json': { schema: ref(service.requestSchemaId) } } }
    op.responses['200'] = {
      description: 'The record, with how it was obtained.',
      content: {
        'application/json': {
          schema: { allOf: [ref('lookup.envelope'), { type: 'object', properties: { data: ref(service.responseSchemaId) } }] }
        }
      }
    }
    // only a request routed by province names an administrative unit that can be ambiguous
    if (service.routing !== 'province') delete op.responses['422']
    doc.paths[`/v1/lookups/${service.id}`] = { post: op }
  }
}

const SCHEMA_REF = /#\/components\/schemas\/([^"#/]+)/g

/**
 * Only the schemas the operations use, directly or through other schemas: the catalogue's schemas of the
 * procedure steps and event sources are the gateway's own calls (served by GET /v1/services/{id}), not this API's.
 */
function pruneComponents (doc: OpenApiDocument): void {
  const used = new Set<string>()
  let next = [...JSON.stringify(doc.paths).matchAll(SCHEMA_REF)].map((m) => m[1])
  while (next.length > 0) {
    const found: string[] = []
    for (const id of next) {
      if (used.has(id)) continue
      used.add(id)
      found.push(...[...JSON.stringify(doc.components.schemas[id] ?? {}).matchAll(SCHEMA_REF)].map((m) => m[1]))
    }
    next = found
  }
  for (const id of Object.keys(doc.components.schemas)) if (!used.has(id)) delete doc.components.schemas[id]
}

/**
 * @fastify/swagger's `transformObject`: the finishing touches of the whole document — the lookups expanded, the
 * problem codes of src/errors.ts as the `code` enum, only the schemas used, every tag used declared.
 */
export function finishDocument (doc: OpenApiDocument): OpenApiDocument {
  expandLookups(doc)
  pruneComponents(doc)
  const code = doc.components.schemas.problem?.properties?.code
  if (code !== undefined) code.enum = PROBLEM_CODES.map((c) => c.code)
  const tags = doc.tags ?? []
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) {
      for (const name of op.tags ?? []) if (!tags.some((t) => t.name === name)) tags.push({ name })
    }
  }
  doc.tags = tags
  return doc
}
