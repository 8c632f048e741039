import type { FastifyInstance } from 'fastify'
import { isDeepStrictEqual } from 'node:util'
import type pg from 'pg'
import { ValidationFailed } from '../../errors.js'
import { GRANTABLE } from '../../catalog/services.js'
import { hashSecret, newSecret } from '../../auth/secret-hash.js'
import { notifyChange } from '../../connectors/change-feed.js'
import type { InstanceInput } from '../../connectors/store.js'
import { CONNECTOR_ID } from './connector-schemas.js'
import { auditAdminChange } from './audit-change.js'

interface ClientDoc { id: string, name: string, roles: string[], grants?: string[], enabled?: boolean }
interface ConnectorDoc { id: string, type: string, services: string[], provinces?: string[] | null, config: Record<string, unknown>, enabled?: boolean }
interface ConfigDoc { clients?: ClientDoc[], connectors: ConnectorDoc[] }
interface Change { kind: 'client' | 'connector', id: string, action: 'create' | 'update' | 'delete' | 'unchanged' }

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
          grants: { type: 'array', items: { type: 'string', enum: GRANTABLE.map((s) => s.id) }, uniqueItems: true },
          enabled: { type: 'boolean' },
          createdAt: { type: 'string' },
          updatedAt: { type: 'string' },
          secretRotatedAt: { type: 'string' }
        }
      }
    },
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
          config: { type: 'object' },
          enabled: { type: 'boolean' },
          version: { type: 'integer' }
        }
      }
    }
  }
} as const

const sameConnector = (a: InstanceInput, masked: Record<string, unknown>, d: ConnectorDoc): boolean =>
  a.type === d.type && isDeepStrictEqual(a.services, d.services) && isDeepStrictEqual(a.provinces ?? null, d.provinces ?? null) &&
  a.enabled === (d.enabled ?? true) && isDeepStrictEqual(masked, d.config)

/** Declarative configuration: export everything (clients without secrets), import all or nothing, dry run. */
export default async function configRoutes (app: FastifyInstance): Promise<void> {
  app.get('/v1/admin/config', { schema: { tags: ['admin'] } }, async () => ({
    version: 1,
    clients: (await app.clients.list()).map(({ id, name, roles, grants, enabled }) => ({ id, name, roles, grants, enabled })),
    connectors: (await app.connectors.store.list()).map((r) => {
      const { version: _v, ...rest } = app.connectors.admin.view(r)
      return rest
    })
  }))

  app.put<{ Body: ConfigDoc, Querystring: { dryRun?: string, force?: string } }>('/v1/admin/config', {
    schema: {
      tags: ['admin'],
      body: configDoc,
      querystring: { type: 'object', additionalProperties: false, properties: { dryRun: { type: 'string', enum: ['true', 'false'] }, force: { type: 'string', enum: ['true', 'false'] } } }
    }
  }, async (request) => {
    const doc = request.body
    const dryRun = request.query.dryRun === 'true'
    const dup = (ids: string[]): string | undefined => ids.find((id, i) => ids.indexOf(id) !== i)
    const dupConnector = dup(doc.connectors.map((c) => c.id))
    const dupClient = dup((doc.clients ?? []).map((c) => c.id))
    if (dupConnector !== undefined || dupClient !== undefined) {
      throw Object.assign(new ValidationFailed('Duplicate ids in the configuration'), { errors: [{ path: dupConnector !== undefined ? '/connectors' : '/clients', message: `duplicate id ${dupConnector ?? dupClient ?? ''}` }] })
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

    const existing = new Map((await app.clients.list()).map((c) => [c.id, c]))
    const clientWrites: Array<{ doc: ClientDoc, hash?: string, secret?: string }> = []
    for (const c of doc.clients ?? []) {
      const old = existing.get(c.id)
      const want = { name: c.name, roles: c.roles, grants: c.grants ?? [], enabled: c.enabled ?? true }
      if (old !== undefined && isDeepStrictEqual({ name: old.name, roles: old.roles, grants: old.grants, enabled: old.enabled }, want)) {
        changes.push({ kind: 'client', id: c.id, action: 'unchanged' })
        continue
      }
      changes.push({ kind: 'client', id: c.id, action: old === undefined ? 'create' : 'update' })
      if (old === undefined && !dryRun) {
        const secret = newSecret()
        clientWrites.push({ doc: c, secret, hash: await hashSecret(secret, app.config.secretHashCost) })
      } else clientWrites.push({ doc: c })
    }

    const writeClients = async (db: pg.PoolClient): Promise<void> => {
      for (const w of clientWrites) {
        const c = w.doc
        if (w.hash !== undefined) {
          await db.query('INSERT INTO clients (id, name, roles, grants, enabled, secret_hash) VALUES ($1, $2, $3, $4, $5, $6)',
            [c.id, c.name, c.roles, c.grants ?? [], c.enabled ?? true, w.hash])
        } else {
          await db.query('UPDATE clients SET name = $2, roles = $3, grants = $4, enabled = $5, updated_at = now() WHERE id = $1',
            [c.id, c.name, c.roles, c.grants ?? [], c.enabled ?? true])
        }
        await notifyChange(db, `client:${c.id}`)
      }
    }
    await app.connectors.admin.apply({ upserts, deletes, dryRun, force: request.query.force === 'true', pathOf: (i) => `/connectors/${paths[i]}`, also: writeClients })
    if (!dryRun) {
      for (const w of clientWrites) app.clients.invalidate(w.doc.id)
      await app.connectors.reload()
      auditAdminChange(app, request, { entity: 'config', id: 'import', action: 'import', after: changes.filter((c) => c.action !== 'unchanged') })
    }
    const secrets = clientWrites.filter((w) => w.secret !== undefined).map((w) => ({ id: w.doc.id, secret: w.secret }))
    return { applied: !dryRun, changes, ...(secrets.length > 0 ? { newClientSecrets: secrets } : {}) }
  })
}
