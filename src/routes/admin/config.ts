import type { FastifyInstance } from 'fastify'
import { isDeepStrictEqual } from 'node:util'
import type pg from 'pg'
import { ValidationFailed } from '../../errors.js'
import { hashSecret, newSecret } from '../../auth/secret-hash.js'
import { clientColumns } from '../../auth/clients.js'
import type { Grant } from '../../auth/grants.js'
import { AGENCIES, assertClientRules, clientView, GRANTS } from './client-schemas.js'
import { notifyChange } from '../../connectors/change-feed.js'
import type { InstanceInput } from '../../connectors/store.js'
import { CONNECTOR_ID } from './connector-schemas.js'
import { auditAdminChange } from './audit-change.js'
import { checkGroup } from '../../procedures/definition.js'

interface ClientDoc { id: string, name: string, roles: string[], grants?: Grant[], agencies?: string[], enabled?: boolean }
interface ConnectorDoc { id: string, type: string, services: string[], provinces?: string[] | null, config: Record<string, unknown>, enabled?: boolean }
interface ConfigDoc { clients?: ClientDoc[], connectors: ConnectorDoc[], procedureGroups?: Array<Record<string, unknown>> }
interface Change { kind: 'client' | 'connector' | 'procedure-group', id: string, action: 'create' | 'update' | 'delete' | 'unchanged' }

const configDoc = {
  type: 'object',
  required: ['connectors'],
  additionalProperties: false,
  properties: {
    version: { type: 'integer' },
    clients: {
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        required: ['id', 'name', 'roles'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9._-]{3,64}$' },
          name: { type: 'string', minLength: 1, maxLength: 200 },
          roles: { type: 'array', items: { type: 'string', enum: ['system', 'admin', 'auditor'] }, minItems: 1, uniqueItems: true },
          grants: GRANTS,
          agencies: AGENCIES,
          enabled: { type: 'boolean' },
          createdAt: { type: 'string' },
          updatedAt: { type: 'string' },
          secretRotatedAt: { type: 'string' }
        }
      }
    },
    procedureGroups: { type: 'array', maxItems: 200, items: { type: 'object', additionalProperties: true, description: 'A procedure group (schemas/procedure-group.json)' } },
    connectors: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['id', 'type', 'services', 'config'],
        additionalProperties: false,
        properties: {
          id: CONNECTOR_ID,
          type: { type: 'string', maxLength: 64 },
          services: { type: 'array', items: { type: 'string', maxLength: 64 }, minItems: 1, uniqueItems: true },
          provinces: { anyOf: [{ type: 'null' }, { type: 'array', items: { type: 'string', maxLength: 2 }, uniqueItems: true }] },
          config: { type: 'object', additionalProperties: true },
          enabled: { type: 'boolean' },
          version: { type: 'integer' }
        }
      }
    }
  }
} as const

const applied = {
  type: 'object',
  required: ['applied', 'changes'],
  properties: {
    applied: { type: 'boolean', description: 'false for a dry run' },
    changes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind', 'id', 'action'],
        properties: {
          kind: { type: 'string', enum: ['client', 'connector', 'procedure-group'] },
          id: { type: 'string' },
          action: { type: 'string', enum: ['create', 'update', 'delete', 'unchanged'] }
        }
      }
    },
    newClientSecrets: {
      type: 'array',
      description: 'The secrets of the clients created, shown once',
      items: { type: 'object', required: ['id', 'secret'], properties: { id: { type: 'string' }, secret: { type: 'string' } } }
    }
  }
}

/**
 * The export as answered: the document import takes, but a client's grants and agencies as stored, whatever they
 * are (a grant of a service since withdrawn from the catalogue must be exported, not turn the export into a 500).
 */
const exportDoc = {
  ...configDoc,
  properties: {
    ...configDoc.properties,
    clients: {
      ...configDoc.properties.clients,
      items: {
        ...configDoc.properties.clients.items,
        properties: { ...configDoc.properties.clients.items.properties, grants: clientView.properties.grants, agencies: clientView.properties.agencies }
      }
    }
  }
}

const sameConnector = (a: InstanceInput, masked: Record<string, unknown>, d: ConnectorDoc): boolean =>
  a.type === d.type && isDeepStrictEqual(a.services, d.services) && isDeepStrictEqual(a.provinces ?? null, d.provinces ?? null) &&
  a.enabled === (d.enabled ?? true) && isDeepStrictEqual(masked, d.config)

/** Declarative configuration: export everything (clients without secrets), import all or nothing, dry run. */
export default async function configRoutes (app: FastifyInstance): Promise<void> {
  app.get('/v1/admin/config', {
    schema: { tags: ['admin'], summary: 'Export the configuration (clients without secrets, connectors with secrets masked)', response: { 200: { ...exportDoc, description: 'A document PUT /v1/admin/config takes back' } } }
  }, async () => ({
    version: 1,
    clients: (await app.clients.list()).map(({ id, name, roles, grants, agencies, enabled }) => ({ id, name, roles, grants, agencies, enabled })),
    connectors: (await app.connectors.store.list()).map((r) => {
      const { version: _v, ...rest } = app.connectors.admin.view(r)
      return rest
    }),
    procedureGroups: (await app.procedures.groups.list()).map((g) => g.definition)
  }))

  app.put<{ Body: ConfigDoc, Querystring: { dryRun?: string, force?: string } }>('/v1/admin/config', {
    schema: {
      tags: ['admin'],
      summary: 'Import a configuration: all or nothing, or a dry run that says what would change',
      body: configDoc,
      querystring: { type: 'object', additionalProperties: false, properties: { dryRun: { type: 'string', enum: ['true', 'false'] }, force: { type: 'string', enum: ['true', 'false'] } } },
      problems: [409],
      response: { 200: applied }
    }
  }, async (request) => {
    const doc = request.body
    const dryRun = request.query.dryRun === 'true'
    const dup = (ids: string[]): string | undefined => ids.find((id, i) => ids.indexOf(id) !== i)
    const dupConnector = dup(doc.connectors.map((c) => c.id))
    const dupClient = dup((doc.clients ?? []).map((c) => c.id))
    if (dupConnector !== undefined || dupClient !== undefined) {
      throw Object.assign(new ValidationFailed('Duplicate ids in the configuration'), { errors: [{ path: dupConnector !== undefined ? '/body/connectors' : '/body/clients', message: `duplicate id ${dupConnector ?? dupClient ?? ''}` }] })
    }
    const stored = new Map((await app.connectors.store.list()).map((r) => [r.id, r]))
    const changes: Change[] = []
    const upserts: InstanceInput[] = []
    const paths: number[] = []
    doc.connectors.forEach((c, i) => {
      const old = stored.get(c.id)
      const input: InstanceInput = { id: c.id, type: c.type, services: c.services, provinces: c.provinces ?? null, config: c.config, enabled: c.enabled ?? true }
      if (old !== undefined && sameConnector(old, app.connectors.admin.view(old).config, c)) {
        changes.push({ kind: 'connector', id: c.id, action: 'unchanged' })
        return
      }
      changes.push({ kind: 'connector', id: c.id, action: old === undefined ? 'create' : 'update' })
      upserts.push(input)
      paths.push(i)
    })
    const deletes = [...stored.keys()].filter((id) => !doc.connectors.some((c) => c.id === id))
    for (const id of deletes) changes.push({ kind: 'connector', id, action: 'delete' })

    ;(doc.clients ?? []).forEach((c, i) => { assertClientRules(c, `/body/clients/${i}`) })
    const existing = new Map((await app.clients.list()).map((c) => [c.id, c]))
    const clientWrites: Array<{ doc: ClientDoc, hash?: string, secret?: string }> = []
    for (const given of doc.clients ?? []) {
      const old = existing.get(given.id)
      // agencies left out: an existing client keeps its own, a new one gets the default (src/auth/agencies.ts)
      const c = { ...given, agencies: given.agencies ?? old?.agencies }
      const want = { name: c.name, roles: c.roles, grants: c.grants ?? [], agencies: clientColumns(c).agencies, enabled: c.enabled ?? true }
      if (old !== undefined && isDeepStrictEqual({ name: old.name, roles: old.roles, grants: old.grants, agencies: old.agencies, enabled: old.enabled }, want)) {
        changes.push({ kind: 'client', id: c.id, action: 'unchanged' })
        continue
      }
      changes.push({ kind: 'client', id: c.id, action: old === undefined ? 'create' : 'update' })
      if (old === undefined && !dryRun) {
        const secret = newSecret()
        clientWrites.push({ doc: c, secret, hash: await hashSecret(secret, app.config.secretHashCost) })
      } else clientWrites.push({ doc: c })
    }

    const groups = await procedureGroupChanges(app, doc.procedureGroups)
    changes.push(...groups.changes)

    const writeClients = async (db: pg.PoolClient): Promise<void> => {
      for (const w of clientWrites) {
        const c = w.doc
        const { services, purposes, agencies } = clientColumns(c)
        if (w.hash !== undefined) {
          await db.query('INSERT INTO clients (id, name, roles, grants, grant_purposes, agencies, enabled, secret_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
            [c.id, c.name, c.roles, services, purposes, agencies, c.enabled ?? true, w.hash])
        } else {
          await db.query('UPDATE clients SET name = $2, roles = $3, grants = $4, grant_purposes = $5, agencies = $6, enabled = $7, updated_at = now() WHERE id = $1',
            [c.id, c.name, c.roles, services, purposes, agencies, c.enabled ?? true])
        }
        await notifyChange(db, `client:${c.id}`)
      }
      await groups.write(db, request.principal.clientId)
    }
    await app.connectors.admin.apply({ upserts, deletes, dryRun, force: request.query.force === 'true', pathOf: (i) => `/body/connectors/${paths[i]}`, also: writeClients })
    if (!dryRun) {
      for (const w of clientWrites) app.clients.invalidate(w.doc.id)
      await app.connectors.reload()
      auditAdminChange(app, request, { entity: 'config', id: 'import', action: 'import', after: changes.filter((c) => c.action !== 'unchanged') })
    }
    const secrets = clientWrites.filter((w) => w.secret !== undefined).map((w) => ({ id: w.doc.id, secret: w.secret }))
    return { applied: !dryRun, changes, ...(secrets.length > 0 ? { newClientSecrets: secrets } : {}) }
  })
}

/**
 * The procedure groups of an import (docs/procedures.md): each checked like an admin PUT (errors name
 * `/procedureGroups/i/...`); absent from the document = groups left as they are, present = the whole set.
 */
async function procedureGroupChanges (app: FastifyInstance, docs: Array<Record<string, unknown>> | undefined):
Promise<{ changes: Change[], write: (db: pg.PoolClient, by: string) => Promise<void> }> {
  if (docs === undefined) return { changes: [], write: async () => {} }
  const errors = docs.flatMap((d, i) => checkGroup(d, app.procedures.engine.validator).map((e) => ({ path: `/body/procedureGroups/${i}${e.path}`, message: e.message })))
  const ids = docs.map((d) => String(d.id))
  const dup = ids.find((id, i) => ids.indexOf(id) !== i)
  if (dup !== undefined) errors.push({ path: '/body/procedureGroups', message: `duplicate id ${dup}` })
  if (errors.length > 0) throw Object.assign(new ValidationFailed('Procedure groups are refused'), { errors })
  const current = new Map((await app.procedures.groups.list()).map((g) => [g.id, g.definition]))
  const changes: Change[] = docs.map((d) => {
    const { $schema: _s, ...def } = d
    const old = current.get(String(d.id))
    return { kind: 'procedure-group', id: String(d.id), action: old === undefined ? 'create' : isDeepStrictEqual(old, def) ? 'unchanged' : 'update' }
  })
  const deletes = [...current.keys()].filter((id) => !ids.includes(id))
  for (const id of deletes) changes.push({ kind: 'procedure-group', id, action: 'delete' })
  return {
    changes,
    write: async (db, by) => {
      for (const d of docs) await app.procedures.groups.save(d, by, db)
      for (const id of deletes) await app.procedures.groups.remove(id, db)
    }
  }
}
