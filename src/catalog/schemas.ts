import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SchemaObject } from 'ajv'
import { fromRoot } from '../lib/repo-root.js'

let cache: ReadonlyMap<string, SchemaObject> | undefined

function readAll (): ReadonlyMap<string, SchemaObject> {
  const dir = fromRoot('schemas')
  const byId = new Map<string, SchemaObject>()
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json')).sort()) {
    const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as SchemaObject
    const id = file.slice(0, -'.json'.length)
    if (schema.$id !== id) throw new Error(`schemas/${file}: $id must be "${id}", found ${JSON.stringify(schema.$id)}`)
    byId.set(id, schema)
  }
  return byId
}

function schemas (): ReadonlyMap<string, SchemaObject> {
  cache ??= readAll()
  return cache
}

/**
 * Every JSON Schema of `schemas/` (one per file, `$id` = file name without `.json`), read once per process.
 * Each call returns fresh copies, so a caller that changes one (a serialiser, an OpenAPI generator) cannot
 * change what the others see.
 */
export function loadSchemas (): SchemaObject[] {
  return [...schemas().values()].map((schema) => structuredClone(schema))
}

/** A copy of the schema with this `$id`, or undefined. */
export function getSchema (id: string): SchemaObject | undefined {
  const schema = schemas().get(id)
  return schema === undefined ? undefined : structuredClone(schema)
}
