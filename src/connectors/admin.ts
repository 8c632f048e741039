import type pg from 'pg'
import { SERVICES, getService } from '../catalog/services.js'
import { Conflict, NotFound, SecretRequired, ValidationFailed } from '../errors.js'
import type { ConnectorTypeRegistry, ConfigError } from './registry.js'
import type { ConnectorStore, InstanceInput } from './store.js'
import type { SecretFields } from './secret-fields.js'
import { urlsIn, type OutboundAllowlist } from './allowlist.js'
import { routeConflicts } from './routes.js'
import { lostRoutes } from './route-guard.js'
import type { InstanceRecord } from './runtime/instance.js'

export interface ConnectorView extends InstanceRecord {}

const PROVINCE = /^\d{2}$/
const MAX_CONFIG_DEPTH = 32

/** Nesting depth of a JSON value, measured without recursion (a hostile config may be thousands deep). */
function depthOf (value: unknown): number {
  let max = 0
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number]
    if (d > max) max = d
    if (max > MAX_CONFIG_DEPTH) return max
    if (v !== null && typeof v === 'object') for (const child of Object.values(v)) stack.push([child, d + 1])
  }
  return max
}

/** The URLs (by JSON path) that differ between two configs, added and removed ones included. */
function movedUrls (before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const old = new Map(urlsIn(before).map(({ path, url }) => [path, url]))
  const now = new Map(urlsIn(after).map(({ path, url }) => [path, url]))
  return [...new Set([...old.keys(), ...now.keys()])].filter((p) => old.get(p) !== now.get(p)).sort()
}

/**
 * The rules every connector change passes, whichever way it comes (admin API, import, seed): known type,
 * services the type can serve, config valid against the type's schema (errors name the JSON path), URLs
 * inside the outbound allowlist, unambiguous routes, and no granted service left without a route unless forced.
 */
export class ConnectorAdmin {
  readonly #store: ConnectorStore
  readonly #types: ConnectorTypeRegistry
  readonly #secrets: SecretFields
  readonly #allowlist: OutboundAllowlist
  readonly #granted: (db: pg.PoolClient) => Promise<Set<string>>

  constructor (deps: {
    store: ConnectorStore,
    types: ConnectorTypeRegistry,
    secrets: SecretFields,
    allowlist: OutboundAllowlist,
    granted: (db: pg.PoolClient) => Promise<Set<string>>
  }) {
    this.#store = deps.store
    this.#types = deps.types
    this.#secrets = deps.secrets
    this.#allowlist = deps.allowlist
    this.#granted = deps.granted
  }

  view (r: InstanceRecord): ConnectorView {
    return { ...r, config: this.#secrets.mask(this.#types.get(r.type), r.config) }
  }

  /**
   * Validation errors of one instance (paths prefixed with `prefix`), its config ready to store otherwise.
   * `secrets`: the stored secrets it keeps although an address they are sent to changed (SECRET_REQUIRED).
   */
  check (input: InstanceInput, stored: InstanceRecord | undefined, prefix = ''): { errors: ConfigError[], secrets: ConfigError[], record: InstanceInput } {
    if (depthOf(input.config) > MAX_CONFIG_DEPTH) {
      return { errors: [{ path: `${prefix}/config`, message: `is nested deeper than ${MAX_CONFIG_DEPTH} levels` }], secrets: [], record: input }
    }
    const type = this.#types.get(input.type)
    if (type === undefined) return { errors: [{ path: `${prefix}/type`, message: `unknown connector type "${input.type}"` }], secrets: [], record: input }
    const errors: ConfigError[] = []
    input.services.forEach((s, i) => {
      if (getService(s) === undefined) errors.push({ path: `${prefix}/services/${i}`, message: `unknown service "${s}"` })
      else if (!type.services.includes(s)) errors.push({ path: `${prefix}/services/${i}`, message: `type ${type.type} cannot serve ${s}` })
    })
    ;(input.provinces ?? []).forEach((p, i) => {
      if (!PROVINCE.test(p)) errors.push({ path: `${prefix}/provinces/${i}`, message: 'must be a 2-digit province code' })
    })
    if ((input.provinces ?? []).length > 0 && input.services.some((s) => getService(s)?.routing !== 'province')) {
      errors.push({ path: `${prefix}/provinces`, message: 'only services routed by province take provinces' })
    }
    const sameType = stored !== undefined && stored.type === input.type
    const before = sameType ? this.#secrets.decryptFor(type, stored.id, stored.config) : undefined
    const { config, kept } = this.#secrets.keepOmitted(type, input.config, before)
    // A kept secret goes only where it went before: with any URL changed, it must be given again (else changing
    // the URL would send the stored API key, password or client secret to a host of the editor's choosing).
    const moved = kept.length > 0 && before !== undefined ? movedUrls(before, config) : []
    const secrets = moved.length === 0
      ? []
      : kept.map((p) => ({
        path: `${prefix}/config${p}`,
        message: `must be given again: ${moved.join(', ')} changed, and a stored secret is never sent to a new address`
      }))
    for (const e of this.#types.validate(input.type, config)) errors.push({ path: `${prefix}${e.path}`, message: e.message })
    for (const { path, url } of urlsIn(config)) {
      const reason = this.#allowlist.check(url)
      if (reason !== undefined) errors.push({ path: `${prefix}${path}`, message: reason })
    }
    return { errors, secrets, record: { ...input, config: this.#secrets.encryptFor(type, input.id, config) } }
  }

  /**
   * Applies a set of changes in one transaction: validates each, then the resulting routing as a whole.
   * `upserts` replace instances by id; `deletes` remove them. Nothing is written when anything is wrong.
   */
  async apply (changes: {
    upserts: InstanceInput[],
    deletes: string[],
    force?: boolean,
    dryRun?: boolean,
    pathOf?: (i: number) => string,
    /** The version each instance must still be at (optimistic concurrency): another one is 409 CONFLICT. */
    versions?: ReadonlyMap<string, number>,
    /** More writes that must commit or fail with these (the clients of an import). */
    also?: (db: pg.PoolClient) => Promise<void>
  }):
    Promise<{ before: InstanceRecord[], after: InstanceRecord[] }> {
    return await this.#store.transaction(async (db) => {
      const before = await this.#store.list(db)
      const byId = new Map(before.map((r) => [r.id, r]))
      for (const [id, version] of changes.versions ?? []) {
        const current = byId.get(id)?.version
        if (current !== undefined && current !== version) {
          throw new Conflict(`Connector ${id} is at version ${current}, not ${version}: read it again and repeat the change`)
        }
      }
      const errors: ConfigError[] = []
      const secrets: ConfigError[] = []
      const checked: InstanceInput[] = []
      changes.upserts.forEach((u, i) => {
        const { errors: e, secrets: s, record } = this.check(u, byId.get(u.id), changes.pathOf?.(i) ?? '')
        errors.push(...e)
        secrets.push(...s)
        checked.push(record)
      })
      for (const id of changes.deletes) if (!byId.has(id)) throw new NotFound(`Connector ${id} does not exist`)
      if (secrets.length > 0) {
        throw Object.assign(new SecretRequired('A URL of the connector changed: give its secrets again'), { errors: [...secrets, ...errors] })
      }
      if (errors.length > 0) throw Object.assign(new ValidationFailed('Connector configuration is invalid'), { errors })

      const next = new Map(byId)
      for (const id of changes.deletes) next.delete(id)
      for (const r of checked) next.set(r.id, { ...r, version: (byId.get(r.id)?.version ?? 0) + 1 })
      const after = [...next.values()]
      const conflicts = routeConflicts(after, SERVICES)
      if (conflicts.length > 0) throw new Conflict(`Ambiguous routes: ${conflicts.join('; ')}`)
      const lost = lostRoutes(before, after, await this.#granted(db), SERVICES)
      if (lost.length > 0 && changes.force !== true) {
        throw new Conflict(`This change leaves granted services without a route: ${lost.join('; ')}. Repeat with force=true to do it anyway`)
      }
      if (changes.dryRun === true) return { before, after }
      for (const id of changes.deletes) await this.#store.delete(db, id)
      for (const r of checked) {
        if (byId.has(r.id)) await this.#store.update(db, r)
        else await this.#store.insert(db, r)
      }
      await changes.also?.(db)
      return { before, after: await this.#store.list(db) }
    })
  }

  /** Re-encrypts every stored secret under the active key (after a key rotation); returns how many instances changed. */
  async reencryptAll (): Promise<number> {
    return await this.#store.transaction(async (db) => {
      let n = 0
      for (const r of await this.#store.list(db)) {
        const type = this.#types.get(r.type)
        const config = type !== undefined ? this.#secrets.reencrypt(type, r.id, r.config) : undefined
        if (config === undefined) continue
        await this.#store.update(db, { ...r, config })
        n++
      }
      return n
    })
  }
}
