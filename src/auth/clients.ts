import type pg from 'pg'
import { LRUCache } from 'lru-cache'
import { hashSecret, newSecret, verifySecret } from './secret-hash.js'
import { notifyChange } from '../connectors/change-feed.js'
import { defaultAgencies } from './agencies.js'
import { joinGrants, splitGrants, type Grant } from './grants.js'
import type { Bulkhead } from '../lib/bulkhead.js'
import { Conflict } from '../errors.js'
import { pageOf, type Page, type PageRequest } from '../lib/page.js'

export type Role = 'system' | 'admin' | 'auditor'
export const ROLES: readonly Role[] = ['system', 'admin', 'auditor']

export interface ClientLimits { perSecond?: number, perDay?: number }

export interface Client {
  id: string
  name: string
  roles: Role[]
  /** Services granted, each a service id or `{ service, purposes }` (src/auth/grants.ts). */
  grants: Grant[]
  /** Agency ids or patterns this client acts for in dossier and progress calls (src/auth/agencies.ts). */
  agencies: string[]
  enabled: boolean
  limits: ClientLimits
  createdAt: string
  updatedAt: string
  secretRotatedAt: string
  /** Moves on with every change of the client (optimistic concurrency: a write naming an older one is refused). */
  version: number
}

export interface ClientInput { id: string, name: string, roles: Role[], grants?: Grant[], agencies?: string[], enabled?: boolean, limits?: ClientLimits }
export type ClientPatch = Partial<Pick<Client, 'name' | 'roles' | 'grants' | 'agencies' | 'enabled' | 'limits'>>

interface Row {
  id: string
  name: string
  roles: Role[]
  grants: string[]
  grant_purposes: Record<string, string[]> | null
  agencies: string[]
  enabled: boolean
  limits: ClientLimits
  secret_hash: string
  created_at: Date
  updated_at: Date
  secret_rotated_at: Date
  version: number
}

const COLUMNS = 'id, name, roles, grants, grant_purposes, agencies, enabled, limits, secret_hash, created_at, updated_at, secret_rotated_at, version'

const toClient = (r: Row): Client => ({
  id: r.id,
  name: r.name,
  roles: r.roles,
  grants: joinGrants(r.grants, r.grant_purposes ?? {}),
  agencies: r.agencies,
  enabled: r.enabled,
  limits: r.limits ?? {},
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  secretRotatedAt: r.secret_rotated_at.toISOString(),
  version: r.version
})

/** A client's grants and agencies as the SQL parameters of its row. */
export function clientColumns (c: { id: string, grants?: Grant[], agencies?: string[] }): { services: string[], purposes: string, agencies: string[] } {
  const { services, purposes } = splitGrants(c.grants ?? [])
  return { services, purposes: JSON.stringify(purposes), agencies: c.agencies ?? defaultAgencies(c.id) }
}

/** API clients in PostgreSQL, with a short-lived cache for the per-request checks (enabled, grants). */
export class ClientStore {
  readonly #pool: pg.Pool
  readonly #cost: number
  readonly #cache: LRUCache<string, Client | false> | undefined
  readonly #hashing: Bulkhead

  /** `hashing` bounds the secret checks of the token endpoint running at once (anonymous callers pay for them). */
  constructor (pool: pg.Pool, opts: { hashCost: number, cacheTtlMs: number, hashing: Bulkhead }) {
    this.#pool = pool
    this.#cost = opts.hashCost
    this.#cache = opts.cacheTtlMs > 0 ? new LRUCache({ max: 10_000, ttl: opts.cacheTtlMs }) : undefined
    this.#hashing = opts.hashing
  }

  async create (input: ClientInput): Promise<{ client: Client, secret: string }> {
    const secret = newSecret()
    const hash = await hashSecret(secret, this.#cost)
    const c = clientColumns(input)
    const { rows } = await this.#pool.query<Row>(
      `INSERT INTO clients (id, name, roles, grants, grant_purposes, agencies, enabled, limits, secret_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
      [input.id, input.name, input.roles, c.services, c.purposes, c.agencies, input.enabled ?? true, input.limits ?? {}, hash])
    if (rows.length === 0) throw Object.assign(new Error(`client ${input.id} exists`), { exists: true })
    this.invalidate(input.id)
    return { client: toClient(rows[0]), secret }
  }

  /** Creates or updates a client with a secret chosen by the operator (the bootstrap admin). */
  async upsertWithSecret (input: ClientInput, secret: string): Promise<Client> {
    const current = await this.#pool.query<Row>(`SELECT ${COLUMNS} FROM clients WHERE id = $1`, [input.id])
    const row = current.rows[0]
    if (row !== undefined && row.enabled && await verifySecret(secret, row.secret_hash) &&
      input.roles.every((r) => row.roles.includes(r))) {
      // Same secret as before: a restart must not count as a rotation (that would refuse live tokens).
      return toClient(row)
    }
    const hash = await hashSecret(secret, this.#cost)
    const c = clientColumns(input)
    const { rows } = await this.#pool.query<Row>(
      `INSERT INTO clients (id, name, roles, grants, grant_purposes, agencies, enabled, secret_hash) VALUES ($1, $2, $3, $4, $5, $6, true, $7)
       ON CONFLICT (id) DO UPDATE SET roles = EXCLUDED.roles, secret_hash = EXCLUDED.secret_hash, enabled = true,
         updated_at = now(), secret_rotated_at = now()
       RETURNING ${COLUMNS}`,
      [input.id, input.name, input.roles, c.services, c.purposes, c.agencies, hash])
    await this.#changed(input.id)
    return toClient(rows[0])
  }

  async list (): Promise<Client[]> {
    const { rows } = await this.#pool.query<Row>(`SELECT ${COLUMNS} FROM clients ORDER BY id`)
    return rows.map(toClient)
  }

  /** A page of the clients, by id. */
  async page (page: PageRequest): Promise<Page<Client>> {
    const { rows } = await this.#pool.query<Row>(`SELECT ${COLUMNS} FROM clients WHERE id > $1 ORDER BY id LIMIT $2`,
      [page.after ?? '', page.limit + 1])
    return pageOf(rows, page.limit, (r) => r.id, toClient)
  }

  async get (id: string): Promise<Client | undefined> {
    const { rows } = await this.#pool.query<Row>(`SELECT ${COLUMNS} FROM clients WHERE id = $1`, [id])
    return rows.length > 0 ? toClient(rows[0]) : undefined
  }

  /** The client as the request path sees it: cached for a few seconds, invalidated on every change here. */
  async cached (id: string): Promise<Client | undefined> {
    const hit = this.#cache?.get(id)
    if (hit !== undefined) return hit === false ? undefined : hit
    const client = await this.get(id)
    this.#cache?.set(id, client ?? false)
    return client
  }

  /**
   * Changes the fields given; undefined when there is no such client. With `version`, only if the client is still
   * at that version (else 409 CONFLICT).
   */
  async patch (id: string, patch: ClientPatch, version?: number): Promise<Client | undefined> {
    const grants = patch.grants !== undefined ? splitGrants(patch.grants) : undefined
    const { rows } = await this.#pool.query<Row>(
      `UPDATE clients SET name = COALESCE($2, name), roles = COALESCE($3, roles), grants = COALESCE($4, grants),
         grant_purposes = COALESCE($5, grant_purposes), agencies = COALESCE($6, agencies),
         enabled = COALESCE($7, enabled), limits = COALESCE($8, limits), updated_at = now()
       WHERE id = $1 AND ($9::integer IS NULL OR version = $9) RETURNING ${COLUMNS}`,
      [id, patch.name ?? null, patch.roles ?? null, grants?.services ?? null, grants !== undefined ? JSON.stringify(grants.purposes) : null,
        patch.agencies ?? null, patch.enabled ?? null, patch.limits ?? null, version ?? null])
    if (rows.length === 0) return await this.#missingOrStale(id, version)
    await this.#changed(id)
    return toClient(rows[0])
  }

  /** Replaces every changeable field: what is left out takes its default (no grants, enabled, no own limits). */
  async replace (id: string, input: Omit<ClientInput, 'id'>, version?: number): Promise<Client | undefined> {
    return await this.patch(id, { name: input.name, roles: input.roles, grants: input.grants ?? [], agencies: input.agencies ?? defaultAgencies(id), enabled: input.enabled ?? true, limits: input.limits ?? {} }, version)
  }

  async #missingOrStale (id: string, version: number | undefined): Promise<undefined> {
    const current = await this.get(id)
    if (current !== undefined) throw new Conflict(`Client ${id} is at version ${current.version}, not ${String(version)}: read it again and repeat the change`)
    return undefined
  }

  async delete (id: string): Promise<boolean> {
    const { rowCount } = await this.#pool.query('DELETE FROM clients WHERE id = $1', [id])
    await this.#changed(id)
    return (rowCount ?? 0) > 0
  }

  async rotateSecret (id: string): Promise<string | undefined> {
    const secret = newSecret()
    const hash = await hashSecret(secret, this.#cost)
    const { rowCount } = await this.#pool.query(
      'UPDATE clients SET secret_hash = $2, secret_rotated_at = now(), updated_at = now() WHERE id = $1', [id, hash])
    await this.#changed(id)
    return (rowCount ?? 0) > 0 ? secret : undefined
  }

  /**
   * Client-credentials check. An unknown id still costs one hash (of a dummy made once), so response time does
   * not tell whether a client id exists. Hashes run inside the `hashing` bulkhead: a burst of guesses waits
   * there briefly or is refused (its error), instead of taking every thread of libuv's pool from real callers.
   */
  async authenticate (id: string, secret: string): Promise<Client | undefined> {
    const { rows } = await this.#pool.query<Row>(`SELECT ${COLUMNS} FROM clients WHERE id = $1`, [id])
    const row = rows[0]
    const stored = row?.secret_hash ?? await this.#dummyHash()
    const ok = await this.#hashing.run(async () => await verifySecret(secret, stored))
    return row !== undefined && ok && row.enabled ? toClient(row) : undefined
  }

  invalidate (id: string): void { this.#cache?.delete(id) }

  /** Drops the client from this instance's cache now and tells the other instances to do the same. */
  async #changed (id: string): Promise<void> {
    this.invalidate(id)
    await notifyChange(this.#pool, `client:${id}`)
  }

  #dummy: Promise<string> | undefined
  async #dummyHash (): Promise<string> {
    this.#dummy ??= hashSecret(newSecret(), this.#cost)
    return await this.#dummy
  }
}
