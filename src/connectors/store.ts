import type pg from 'pg'
import type { InstanceRecord } from './runtime/instance.js'
import { notifyChange } from './change-feed.js'
import { withTransaction } from '../db/transaction.js'

interface Row {
  id: string
  type: string
  services: string[]
  provinces: string[] | null
  config: Record<string, unknown>
  enabled: boolean
  version: number
}

export type InstanceInput = Omit<InstanceRecord, 'version'>

const COLUMNS = 'id, type, services, provinces, config, enabled, version'
const toRecord = (r: Row): InstanceRecord => ({ ...r })

/** Connector instances in PostgreSQL; every write notifies the other gateway instances in its transaction. */
export class ConnectorStore {
  readonly #pool: pg.Pool

  constructor (pool: pg.Pool) { this.#pool = pool }

  async list (db: pg.Pool | pg.PoolClient = this.#pool): Promise<InstanceRecord[]> {
    const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM connector_instances ORDER BY id`)
    return rows.map(toRecord)
  }

  async get (id: string): Promise<InstanceRecord | undefined> {
    const { rows } = await this.#pool.query<Row>(`SELECT ${COLUMNS} FROM connector_instances WHERE id = $1`, [id])
    return rows.length > 0 ? toRecord(rows[0]) : undefined
  }

  /** Runs `fn` in a transaction holding the configuration lock (one writer of connector config at a time). */
  async transaction<T> (fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return await withTransaction(this.#pool, async (client) => {
      await client.query('LOCK TABLE connector_instances IN SHARE ROW EXCLUSIVE MODE')
      return await fn(client)
    })
  }

  async insert (client: pg.PoolClient, r: InstanceInput): Promise<InstanceRecord> {
    const { rows } = await client.query<Row>(
      `INSERT INTO connector_instances (id, type, services, provinces, config, enabled) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING ${COLUMNS}`, [r.id, r.type, r.services, r.provinces, r.config, r.enabled])
    await notifyChange(client, `connector:${r.id}`)
    return toRecord(rows[0])
  }

  async update (client: pg.PoolClient, r: InstanceInput): Promise<InstanceRecord | undefined> {
    const { rows } = await client.query<Row>(
      `UPDATE connector_instances SET type = $2, services = $3, provinces = $4, config = $5, enabled = $6,
         version = version + 1, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [r.id, r.type, r.services, r.provinces, r.config, r.enabled])
    await notifyChange(client, `connector:${r.id}`)
    return rows.length > 0 ? toRecord(rows[0]) : undefined
  }

  async delete (client: pg.PoolClient, id: string): Promise<boolean> {
    const { rowCount } = await client.query('DELETE FROM connector_instances WHERE id = $1', [id])
    await notifyChange(client, `connector:${id}`)
    return (rowCount ?? 0) > 0
  }

  /** Inserts the declarative instances when the table is empty (first start); returns how many were added. */
  async seedIfEmpty (records: InstanceInput[]): Promise<number> {
    return await this.transaction(async (client) => {
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM connector_instances')
      if (Number(rows[0].n) > 0) return 0
      for (const r of records) await this.insert(client, r)
      return records.length
    })
  }
}
