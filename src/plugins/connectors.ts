import fp from 'fastify-plugin'
import { ConnectorTypeRegistry } from '../connectors/registry.js'
import { ConnectorStore } from '../connectors/store.js'
import { RouteTable, routeConflicts } from '../connectors/routes.js'
import { readDeclaredInstances, type DeclaredInstance } from '../connectors/declarative.js'
import { ConnectorInstance, type InstanceRecord } from '../connectors/runtime/instance.js'
import type { ConnectorType } from '../connectors/contract.js'
import { SERVICES } from '../catalog/services.js'
import { loadKeyring } from '../connectors/secrets-key.js'
import { SecretFields } from '../connectors/secret-fields.js'
import { OutboundAllowlist } from '../connectors/allowlist.js'
import { ConnectorAdmin } from '../connectors/admin.js'
import { ChangeFeed } from '../connectors/change-feed.js'
import { HealthMonitor } from '../connectors/health.js'
import { parseRevocationNotice } from '../auth/revocations.js'

declare module 'fastify' {
  interface FastifyInstance {
    connectors: {
      types: ConnectorTypeRegistry
      store: ConnectorStore
      admin: ConnectorAdmin
      secrets: SecretFields
      health: HealthMonitor
      route (serviceId: string, province?: string): ConnectorInstance | undefined
      all (serviceId: string): ConnectorInstance[]
      get (id: string): ConnectorInstance | undefined
      list (): ConnectorInstance[]
      /** Re-reads the instances and swaps the live set; old instances drain and close. */
      reload (): Promise<void>
    }
  }
}

export interface ConnectorsOptions {
  /** Instances to seed on first start instead of the declarative file (tests). */
  seed?: DeclaredInstance[]
  /** Extra connector types (tests). */
  types?: ConnectorType[]
}

/**
 * The live connector instances: validated, routed, each with its own pool and breaker. Changes made on any
 * gateway instance arrive through the change feed; a reload builds the changed instances, swaps the set
 * atomically (new requests use it), then drains and closes the instances it replaced.
 */
export default fp<ConnectorsOptions>(async function connectors (app, opts) {
  const types = new ConnectorTypeRegistry(opts.types)
  const store = new ConnectorStore(app.db)
  const secrets = new SecretFields(await loadKeyring(app.config.secretsKey, app.config.dataDir, (m) => app.log.warn(m)))
  const admin = new ConnectorAdmin({
    store,
    types,
    secrets,
    allowlist: new OutboundAllowlist(app.config.outboundAllowlist),
    granted: async (db) => {
      const { rows } = await db.query<{ g: string }>('SELECT DISTINCT unnest(grants) AS g FROM clients WHERE enabled')
      return new Set(rows.map((r) => r.g))
    }
  })

  const seed = opts.seed ?? await readDeclaredInstances(app.config.connectorsFile, app.config.vars)
  const checked = seed.map((inst, i) => {
    const { errors, record } = admin.check(inst, undefined, `${app.config.connectorsFile}#/connectors/${i}`)
    if (errors.length > 0) throw new Error(`connector ${inst.id}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`)
    return record
  })
  const seeded = await store.seedIfEmpty(checked)
  if (seeded > 0) app.log.info({ seeded }, 'connector instances seeded from the declarative configuration')

  let live = new Map<string, ConnectorInstance>()
  let table = new RouteTable<ConnectorInstance>([])
  const health = new HealthMonitor(() => [...live.values()], app.log, app.config.healthProbeIntervalMs)

  const build = (record: InstanceRecord): ConnectorInstance | undefined => {
    const type = types.get(record.type)
    if (type === undefined) { app.log.error({ connector: record.id, type: record.type }, 'unknown connector type; instance skipped'); return undefined }
    try {
      const inst = new ConnectorInstance({ ...record, config: secrets.decryptFor(type, record.id, record.config) }, type, app.log.child({ connector: record.id }))
      health.watch(inst)
      return inst
    } catch (err) {
      app.log.error({ connector: record.id, err: (err as Error).message }, 'connector instance cannot be built; skipped')
      return undefined
    }
  }

  async function swap (): Promise<void> {
    const records = await store.list()
    const conflicts = routeConflicts(records, SERVICES)
    if (conflicts.length > 0) app.log.error({ conflicts }, 'ambiguous connector routes in the database')
    const next = new Map<string, ConnectorInstance>()
    const retired: ConnectorInstance[] = []
    for (const r of records) {
      const current = live.get(r.id)
      if (current !== undefined && current.record.version === r.version) { next.set(r.id, current); continue }
      const inst = build(r)
      if (inst !== undefined) next.set(r.id, inst)
      if (current !== undefined) retired.push(current)
    }
    for (const [id, inst] of live) if (!next.has(id)) { retired.push(inst); health.forget(id) }
    live = next
    table = new RouteTable([...next.values()])
    if (retired.length > 0) app.log.info({ retired: retired.map((i) => i.id) }, 'connector instances replaced')
    await Promise.all(retired.map(async (i) => { await i.close() }))
  }

  // Reloads never overlap; a change arriving during one schedules exactly one more.
  let running: Promise<void> | undefined
  let again = false
  async function reload (): Promise<void> {
    if (running !== undefined) { again = true; return await running }
    running = (async () => {
      try {
        do { again = false; await swap() } while (again)
      } finally { running = undefined }
    })()
    return await running
  }

  await reload()
  const feed = new ChangeFeed(app.dbDirect, app.log, app.config.configPollIntervalMs, (payload) => {
    if (payload.startsWith('client:')) { app.clients.invalidate(payload.slice(7)); return }
    const revoked = parseRevocationNotice(payload)
    if (revoked !== undefined) { app.revocations.note(revoked.jti, revoked.expiresAtMs); return }
    // a warning: the gateway keeps serving with the set it has, and the next change notice (or poll) reloads again
    reload().catch((err: Error) => app.log.warn({ err: err.message }, 'connector reload failed; keeping the current set'))
  })
  await feed.start()

  app.decorate('connectors', {
    types,
    store,
    admin,
    secrets,
    health,
    route: (serviceId: string, province?: string) => table.route(serviceId, province),
    all: (serviceId: string) => table.all(serviceId),
    get: (id: string) => live.get(id),
    list: () => [...live.values()],
    reload
  })
  app.addHook('onClose', async () => {
    health.close()
    await feed.close()
    await running
    await Promise.all([...live.values()].map(async (i) => { await i.close(app.config.shutdownTimeoutMs) }))
  })
}, { name: 'connectors', dependencies: ['config', 'db', 'auth'] })
