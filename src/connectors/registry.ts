import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import type { ConnectorType } from './contract.js'
import restJson from '../../connectors/rest-json/index.js'
import dvcqg from '../../connectors/dvcqg/index.js'
import population from '../../connectors/population/index.js'

/** Every connector type the gateway knows: code, registered here and nowhere else. */
const BUILTIN: ConnectorType[] = [restJson as unknown as ConnectorType, dvcqg as unknown as ConnectorType, population as unknown as ConnectorType]

export interface ConfigError { path: string, message: string }

function describe (e: ErrorObject): ConfigError {
  const params = e.params as Record<string, unknown>
  const extra = typeof params.missingProperty === 'string'
    ? `/${params.missingProperty}`
    : typeof params.additionalProperty === 'string' ? `/${params.additionalProperty}` : ''
  return { path: `/config${e.instancePath}${extra}`, message: e.message ?? 'is invalid' }
}

/** Connector types and the validation of instance configs against each type's schema (compiled once). */
export class ConnectorTypeRegistry {
  readonly #types = new Map<string, { type: ConnectorType, validate: ValidateFunction }>()

  constructor (types: ConnectorType[] = []) {
    const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false })
    addFormats.default(ajv)
    for (const t of [...BUILTIN, ...types]) this.#types.set(t.type, { type: t, validate: ajv.compile(t.configSchema) })
  }

  get (type: string): ConnectorType | undefined { return this.#types.get(type)?.type }

  list (): ConnectorType[] { return [...this.#types.values()].map((e) => e.type) }

  /** Errors naming the JSON path of each problem, or an empty list when the config is valid. */
  validate (type: string, config: unknown): ConfigError[] {
    const entry = this.#types.get(type)
    if (entry === undefined) return [{ path: '/type', message: `unknown connector type "${type}"` }]
    if (entry.validate(config)) return []
    return (entry.validate.errors ?? []).map(describe)
  }
}
