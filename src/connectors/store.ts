import type pg from 'pg'
import type { InstanceRecord } from './runtime/instance.js'

interface Row {
  id: string
  type: string
  services: string[]
  provinces: string[] | null
  config: Record<string, unknown>
  enabled: boolean
  version: number
}

const COLUMNS = 'id, type, services, provinces, config, enabled, version'
const toRecord = (r: Row): InstanceRecord => ({ ...r })

/** Connector instances in PostgreSQL. */
export class ConnectorStore {
  readonly #pool: pg.Pool

  constructor (pool: pg.Pool) { this.#pool = pool }

  async list (): Promise<InstanceRecord[]> {
    const { rows } = await this.#pool.query<Row>(`SELECT ${COLUMNS} FROM connector_instances ORDER BY id`)
    return rows.map(toRecord)
  }

  async get (id: string): Promise<InstanceRecord | undefined> {
    const { rows } = await this.#pool.query<Row>(`SELECT ${COLUMNS} FROM connector_instances WHERE id = $1`, [id])
    return rows.length > 0 ? toRecord(rows[0]) : undefined
  }

  /** Inserts the declarative instances when the table is empty (first start); returns how many were added. */
  async seedIfEmpty (records: Array<Omit<InstanceRecord, 'version'>>): Promise<number> {
    const client = await this.#pool.connect()
    try {
      await client.query('BEGIN')
      await client.query('LOCK TABLE connector_instances IN EXCLUSIVE MODE')
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM connector_instances')
      if (Number(rows[0].n) > 0) { await client.query('COMMIT'); return 0 }
      for (const r of records) {
        await client.query(
          'INSERT INTO connector_instances (id, type, services, provinces, config, enabled) VALUES ($1, $2, $3, $4, $5, $6)',
          [r.id, r.type, r.services, r.provinces, r.config, r.enabled])
      }
      await client.query('COMMIT')
      return records.length
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw err
    } finally {
      client.release()
    }
  }
}
