import { t } from './i18n.js'

/** The subset of JSON Schema the connector types use (draft 7 / 2020-12 keywords). */
export interface Schema {
  type?: string | string[]
  properties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: boolean | Schema
  items?: Schema
  enum?: unknown[]
  const?: unknown
  oneOf?: Schema[]
  anyOf?: Schema[]
  pattern?: string
  format?: string
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  minItems?: number
  maxItems?: number
  minProperties?: number
  description?: string
  title?: string
  default?: unknown
}

/** The variant of a oneOf whose `const` discriminator matches the value (or the first one). */
export function variantOf (schema: Schema, value: unknown): { index: number, key: string | undefined } {
  const variants = schema.oneOf ?? []
  const key = Object.keys(variants[0]?.properties ?? {}).find((k) => variants.every((v) => v.properties?.[k]?.const !== undefined))
  if (key === undefined) return { index: 0, key }
  const given = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined
  const i = variants.findIndex((v) => v.properties?.[key]?.const === given)
  return { index: i < 0 ? 0 : i, key }
}

const isUri = (s: string): boolean => { try { return new URL(s).protocol !== '' } catch { return false } }

/**
 * Checks a value against the schema as the form built it, before anything is sent: errors by JSON pointer,
 * in the person's language (the server checks again, and its answer lands on the same fields).
 */
export function check (schema: Schema, value: unknown, path = '', out: Record<string, string> = {}): Record<string, string> {
  if (value === undefined) return out
  const here = path === '' ? '/' : path
  if (schema.oneOf !== undefined) {
    const { index } = variantOf(schema, value)
    return check(schema.oneOf[index], value, path, out)
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  if (schema.const !== undefined && value !== schema.const) { out[here] = t('validation.enum'); return out }
  if (schema.enum !== undefined && !schema.enum.includes(value)) { out[here] = t('validation.enum'); return out }
  if (type === 'integer' && !(typeof value === 'number' && Number.isInteger(value))) { out[here] = t('validation.integer'); return out }
  if (type === 'number' && typeof value !== 'number') { out[here] = t('validation.number'); return out }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) out[here] = t('validation.minimum', { n: schema.minimum })
    if (schema.maximum !== undefined && value > schema.maximum) out[here] = t('validation.maximum', { n: schema.maximum })
  }
  if (type === 'string') {
    if (typeof value !== 'string') { out[here] = t('validation.string'); return out }
    if (schema.minLength !== undefined && value.length < schema.minLength) out[here] = value === '' ? t('validation.required') : t('validation.minLength', { n: schema.minLength })
    else if (schema.maxLength !== undefined && value.length > schema.maxLength) out[here] = t('validation.maxLength', { n: schema.maxLength })
    else if (schema.format === 'uri' && !isUri(value)) out[here] = t('validation.uri')
    else if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) out[here] = t('validation.pattern')
  }
  if (type === 'array' && Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) out[here] = t('validation.minItems', { n: schema.minItems })
    if (schema.items !== undefined) value.forEach((v, i) => { check(schema.items as Schema, v, `${path}/${i}`, out) })
  }
  if ((type === 'object' || schema.properties !== undefined) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>
    for (const k of schema.required ?? []) if (obj[k] === undefined || obj[k] === '') out[`${path}/${k}`] = t('validation.required')
    if (schema.minProperties !== undefined && Object.keys(obj).length < schema.minProperties) out[here] = t('validation.minProperties', { n: schema.minProperties })
    for (const [k, v] of Object.entries(obj)) {
      const sub = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined)
      if (sub !== undefined && out[`${path}/${k}`] === undefined) check(sub, v, `${path}/${k}`, out)
    }
  }
  return out
}
