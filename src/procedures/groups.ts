import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import type pg from 'pg'
import { fromRoot } from '../lib/repo-root.js'
import type { Validator } from '../catalog/validator.js'
import { ValidationFailed } from '../errors.js'
import { checkGroup, Group, type GroupDefinition, type GroupError } from './definition.js'

/** A definition as stored: without the editor hint `$schema`, so that export and import compare equal. */
function stored (def: GroupDefinition): GroupDefinition {
  const { $schema: _s, ...rest } = def as GroupDefinition & { $schema?: string }
  return rest
}

/** The refusal of a group definition: 400 naming each path. */
export const refused = (id: string, errors: GroupError[]): Error =>
  Object.assign(new ValidationFailed(`Procedure group "${id}" is refused: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`), { errors })

/** Reads and checks every `config/procedures/*.json`; one bad file stops the start, naming the file and the paths. */
export function readGroupFiles (validator: Validator, dir = fromRoot('config/procedures')): GroupDefinition[] {
  const out: GroupDefinition[] = []
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const def = JSON.parse(readFileSync(join(dir, file), 'utf8')) as GroupDefinition
    const errors = checkGroup(def, validator)
    if (errors.length > 0) throw new Error(`config/procedures/${file}: refused: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`)
    out.push(stored(def))
  }
  return out
}

export interface GroupSummary { id: string, version: number, source: string, updatedAt: string, updatedBy: string | null, definition: GroupDefinition }

/**
 * Procedure groups in PostgreSQL: the current version of each, and every version a case may still run on
 * (immutable, cached here). The files of `config/procedures/` are seeded at start; a group changed through the
 * admin API keeps the admin's version over the file's.
 */
export class GroupStore {
  readonly #db: pg.Pool
  readonly #validator: Validator
  readonly #versions = new Map<string, Group>()

  constructor (db: pg.Pool, validator: Validator) {
    this.#db = db
    this.#validator = validator
  }

  /** Seeds the files' groups: new ones, and new versions of file-sourced ones whose file changed. */
  async seed (defs: GroupDefinition[]): Promise<string[]> {
    const changed: string[] = []
    for (const def of defs) {
      const { rows } = await this.#db.query<{ source: string, definition: GroupDefinition }>(
        `SELECT g.source, v.definition FROM procedure_groups g JOIN procedure_group_versions v ON v.group_id = g.id AND v.version = g.version
         WHERE g.id = $1`, [def.id])
      if (rows[0] !== undefined && (rows[0].source === 'admin' || isDeepStrictEqual(rows[0].definition, def))) continue
      await this.#write(def, 'file', null)
      changed.push(def.id)
    }
    return changed
  }

  /** Saves a new version (after the checks); `unchanged` when it equals the current one. */
  async save (def: unknown, by: string, db?: pg.PoolClient): Promise<{ version: number, unchanged: boolean }> {
    const errors = checkGroup(def, this.#validator)
    if (errors.length > 0) throw refused(String((def as { id?: unknown }).id ?? '?'), errors)
    const clean = stored(def as GroupDefinition)
    const current = await this.current(clean.id, db)
    if (current !== undefined && isDeepStrictEqual(current.def, clean)) return { version: current.version, unchanged: true }
    return { version: await this.#write(clean, 'admin', by, db), unchanged: false }
  }

  async #write (def: GroupDefinition, source: 'file' | 'admin', by: string | null, db?: pg.PoolClient): Promise<number> {
    const { rows } = await (db ?? this.#db).query<{ version: number }>(`
      WITH v AS (
        INSERT INTO procedure_groups AS g (id, version, source, updated_by) VALUES ($1, 1, $2, $4)
        ON CONFLICT (id) DO UPDATE SET version = (SELECT COALESCE(max(version), 0) + 1 FROM procedure_group_versions WHERE group_id = $1),
          source = EXCLUDED.source, updated_by = EXCLUDED.updated_by, updated_at = now()
        RETURNING version
      )
      INSERT INTO procedure_group_versions (group_id, version, definition, created_by) SELECT $1, v.version, $3, $4 FROM v
      RETURNING version`, [def.id, source, def, by])
    return rows[0].version
  }

  /** Removes a group: no new filing; its cases run on with the version they were filed with. */
  async remove (id: string, db?: pg.PoolClient): Promise<boolean> {
    const { rowCount } = await (db ?? this.#db).query('DELETE FROM procedure_groups WHERE id = $1', [id])
    return (rowCount ?? 0) > 0
  }

  /** The current version of a group, or undefined. */
  async current (id: string, db?: pg.PoolClient): Promise<Group | undefined> {
    const { rows } = await (db ?? this.#db).query<{ version: number }>('SELECT version FROM procedure_groups WHERE id = $1', [id])
    return rows[0] !== undefined ? await this.version(id, rows[0].version) : undefined
  }

  /** One version of a group (immutable: cached once read). */
  async version (id: string, version: number): Promise<Group> {
    const key = `${id}\n${version}`
    const hit = this.#versions.get(key)
    if (hit !== undefined) return hit
    const { rows } = await this.#db.query<{ definition: GroupDefinition }>(
      'SELECT definition FROM procedure_group_versions WHERE group_id = $1 AND version = $2', [id, version])
    if (rows[0] === undefined) throw new Error(`procedure group ${id} v${version} is missing`)
    const group = new Group(rows[0].definition, version)
    this.#versions.set(key, group)
    return group
  }

  async list (): Promise<GroupSummary[]> {
    const { rows } = await this.#db.query<{ id: string, version: number, source: string, updated_at: Date, updated_by: string | null, definition: GroupDefinition }>(`
      SELECT g.id, g.version, g.source, g.updated_at, g.updated_by, v.definition
      FROM procedure_groups g JOIN procedure_group_versions v ON v.group_id = g.id AND v.version = g.version ORDER BY g.id`)
    return rows.map((r) => ({ id: r.id, version: r.version, source: r.source, updatedAt: r.updated_at.toISOString(), updatedBy: r.updated_by, definition: r.definition }))
  }
}
