import fp from 'fastify-plugin'
import { ConnectorTypeRegistry } from '../connectors/registry.js'
import { ConnectorStore } from '../connectors/store.js'
import { RouteTable, routeConflicts } from '../connectors/routes.js'
import { readDeclaredInstances, type DeclaredInstance } from '../connectors/declarative.js'
import { ConnectorInstance, type InstanceRecord } from '../connectors/runtime/instance.js'
import type { ConnectorType } from '../connectors/contract.js'
import { SERVICES } from '../catalog/services.js'

declare module 'fastify' {
  interface FastifyInstance {
    connectors: {
      types: ConnectorTypeRegistry
      store: ConnectorStore
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
 * The live connector instances: validated, routed, each with its own pool and breaker. A reload builds a
 * new set, swaps it atomically (new requests use it), then drains and closes the instances it replaced.
 */
export default fp<ConnectorsOptions>(async function connectors (app, opts) {
  const types = new ConnectorTypeRegistry(opts.types)
  const store = new ConnectorStore(app.db)
  const seed = opts.seed ?? await readDeclaredInstances(app.config.connectorsFile, app.config.vars)
  for (const inst of seed) {
    const errors = types.validate(inst.type, inst.config)
    if (errors.length > 0) {
      throw new Error(`connector ${inst.id}: invalid config: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`)
    }
  }
  const seeded = await store.seedIfEmpty(seed)
  if (seeded > 0) app.log.info({ seeded }, 'connector instances seeded from the declarative configuration')

  let live = new Map<string, ConnectorInstance>()
  let table = new RouteTable<ConnectorInstance>([])

  const build = (record: InstanceRecord): ConnectorInstance | undefined => {
    const type = types.get(record.type)
    if (type === undefined) { app.log.error({ connector: record.id, type: record.type }, 'unknown connector type; instance skipped'); return undefined }
    return new ConnectorInstance(record, type, app.log.child({ connector: record.id }))
  }

  async function reload (): Promise<void> {
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
    for (const [id, inst] of live) if (!next.has(id)) retired.push(inst)
    live = next
    table = new RouteTable([...next.values()])
    await Promise.all(retired.map(async (i) => { await i.close() }))
  }

  await reload()
  app.decorate('connectors', {
    types,
    store,
    route: (serviceId: string, province?: string) => table.route(serviceId, province),
    all: (serviceId: string) => table.all(serviceId),
    get: (id: string) => live.get(id),
    list: () => [...live.values()],
    reload
  })
  app.addHook('onClose', async () => {
    await Promise.all([...live.values()].map(async (i) => { await i.close(app.config.shutdownTimeoutMs) }))
  })
}, { name: 'connectors', dependencies: ['config', 'db'] })
