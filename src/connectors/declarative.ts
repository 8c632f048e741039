import { readFile } from 'node:fs/promises'
import { isAbsolute } from 'node:path'
import { fromRoot } from '../lib/repo-root.js'
import type { InstanceRecord } from './runtime/instance.js'

export type DeclaredInstance = Omit<InstanceRecord, 'version'>

const PLACEHOLDER = /\$\{([A-Z][A-Z0-9_]*)\}/g

/** Replaces `${NAME}` in every string of a JSON value; an unknown name is an error naming it. */
export function resolvePlaceholders<T> (value: T, vars: Readonly<Record<string, string>>, where = ''): T {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (_m, name: string) => {
      const v = vars[name]
      if (v === undefined) throw new Error(`${where}: the variable ${name} is not set`)
      return v
    }) as T
  }
  if (Array.isArray(value)) return value.map((v, i) => resolvePlaceholders(v, vars, `${where}/${i}`)) as T
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolvePlaceholders(v, vars, `${where}/${k}`)])) as T
  }
  return value
}

/** Reads the declarative connector file (config/connectors.json) used to seed the first start. */
export async function readDeclaredInstances (file: string, vars: Readonly<Record<string, string>>): Promise<DeclaredInstance[]> {
  const path = isAbsolute(file) ? file : fromRoot(file)
  const raw = JSON.parse(await readFile(path, 'utf8')) as { connectors?: unknown[] }
  if (!Array.isArray(raw.connectors)) throw new Error(`${file}: expected { "connectors": [...] }`)
  return raw.connectors.map((c, i) => {
    const r = resolvePlaceholders(c as DeclaredInstance, vars, `${file}#/connectors/${i}`)
    return { id: r.id, type: r.type, services: r.services, provinces: r.provinces ?? null, config: r.config, enabled: r.enabled ?? true }
  })
}
