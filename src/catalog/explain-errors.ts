import type { ErrorObject } from 'ajv'
import { explainFormat } from './format-messages.js'

/** One thing wrong with a request: where (a JSON Pointer into the request, see `fieldPath`) and what. */
export interface FieldError { path: string, message: string }

/** The parts of a request a field can be in. */
export type RequestPart = 'body' | 'query' | 'params' | 'headers'

/**
 * The one format of `errors[].path` (docs/api-conventions.md): a JSON Pointer whose first segment is the part of the
 * request — `/body/taxCode`, `/body` (the whole body), `/query/kind`, `/params/code`, `/headers/x-purpose`.
 * `pointer` is the JSON Pointer inside that part ('' or '/' for the part itself).
 */
export const fieldPath = (part: RequestPart, pointer = ''): string => `/${part}${pointer === '/' ? '' : pointer}`

interface Ranked extends FieldError { rank?: number }

/** For one field, the error that says most wins: its type, then its length, then its format, then its pattern. */
const RANK: Readonly<Record<string, number>> = { type: 0, maxLength: 1, minLength: 1, format: 2, pattern: 3 }

const escape = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1')
const child = (path: string, key: unknown): string => `${path}/${escape(String(key))}`
const pointer = (path: string): string => path === '' ? '/' : path
const isObject = (data: unknown): data is Record<string, unknown> =>
  typeof data === 'object' && data !== null && !Array.isArray(data)

function explainOne (err: ErrorObject, notAllowed: string): Ranked {
  const params = err.params as Record<string, unknown>
  const path = pointer(err.instancePath)
  switch (err.keyword) {
    case 'required':
      return { path: child(err.instancePath, params.missingProperty), message: 'is required' }
    case 'additionalProperties':
      return { path: child(err.instancePath, params.additionalProperty), message: 'is not allowed' }
    case 'dependencies':
      return {
        path: child(err.instancePath, params.missingProperty),
        message: `is required when ${String(params.property)} is present`
      }
    case 'false schema':
      return { path, message: notAllowed }
    case 'format':
      return { path, message: explainFormat(String(params.format), err.data), rank: RANK.format }
    case 'const':
      return { path, message: `must be ${JSON.stringify(params.allowedValue)}` }
    case 'enum':
      return { path, message: `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}` }
    default:
      return { path, message: err.message ?? 'is invalid', rank: RANK[err.keyword] }
  }
}

const requiredOf = (branch: unknown): string[] =>
  isObject(branch) && Array.isArray(branch.required) ? branch.required.map(String) : []

/**
 * A failed `oneOf` as one clear error. Its branches are told apart by their `required` properties: the branch
 * the body comes closest to is the one the caller meant, and only that branch's errors are reported. A body
 * close to none, or fully matching several, gets one summary naming the shapes. Needs ajv's `verbose` errors
 * (the branch schemas and the data); without them the branch with the fewest errors is reported.
 */
function explainOneOf (err: ErrorObject, inside: ErrorObject[]): Ranked[] {
  const where = pointer(err.instancePath)
  const branchErrors = (i: number): ErrorObject[] =>
    inside.filter((e) => e.schemaPath.startsWith(`${err.schemaPath}/${i}/`))
  const passing = (err.params as { passingSchemas: number[] | null }).passingSchemas
  if (!Array.isArray(err.schema) || err.data === undefined) {
    if (passing !== null) return [{ path: where, message: 'must match exactly one of the allowed shapes, not several' }]
    const branches = new Set(inside.map((e) => Number(e.schemaPath.slice(err.schemaPath.length + 1).split('/')[0])))
    const fewest = [...branches].sort((a, b) => branchErrors(a).length - branchErrors(b).length)[0]
    if (fewest === undefined) return [{ path: where, message: err.message ?? 'is invalid' }]
    return explain(branchErrors(fewest))
  }
  const data = isObject(err.data) ? err.data : {}
  const shapes = err.schema.map(requiredOf)
  const summary = `must match exactly one of: ${shapes.map((keys) => `{${keys.join(', ')}}`).join(' or ')}`
  const scores = shapes.map((keys) =>
    keys.length === 0 ? 0 : keys.filter((k) => Object.hasOwn(data, k)).length / keys.length)
  if (passing !== null || scores.filter((s) => s === 1).length > 1) {
    return [{ path: where, message: `${summary}, not ${shapes.length === 2 ? 'both' : 'several'}` }]
  }
  const best = scores.indexOf(Math.max(...scores))
  if (scores[best] === 0) return [{ path: where, message: summary }]
  return explain(branchErrors(best), `is not allowed together with ${shapes[best].join(', ')}`)
}

function explain (errors: ErrorObject[], notAllowed = 'is not allowed'): Ranked[] {
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length)
  const replaced = new Map<ErrorObject, Ranked[]>()
  const consumed = new Set<ErrorObject>()
  for (const err of oneOfs) {
    if (consumed.has(err)) continue
    const inside = errors.filter((e) => e !== err && e.schemaPath.startsWith(`${err.schemaPath}/`) &&
      (e.instancePath === err.instancePath || e.instancePath.startsWith(`${err.instancePath}/`)))
    for (const e of inside) consumed.add(e)
    const notAnObject = errors.some((e) => e.keyword === 'type' && e.instancePath === err.instancePath)
    replaced.set(err, notAnObject ? [] : explainOneOf(err, inside)) // the type error says it
  }
  return errors.flatMap((err) => consumed.has(err) ? [] : (replaced.get(err) ?? [explainOne(err, notAllowed)]))
}

/**
 * Turns ajv errors into field errors a caller can act on: JSON Pointers naming the field (the missing or unexpected
 * property itself for `required` and `additionalProperties`), one error per field for a bad value, and one
 * explanation per failed `oneOf` instead of every branch's complaints. The pointers are into the value checked
 * (`/` for the value itself) or, given the `part` of the request it is, into the request (`fieldPath`).
 */
export function explainErrors (errors: readonly ErrorObject[], part?: RequestPart): FieldError[] {
  const all = explain([...errors])
  const best = new Map<string, number>()
  for (const e of all) if (e.rank !== undefined) best.set(e.path, Math.min(best.get(e.path) ?? e.rank, e.rank))
  const seen = new Set<string>()
  const out: FieldError[] = []
  for (const { path, message, rank } of all) {
    const key = `${path}\n${message}`
    if ((rank !== undefined && rank !== best.get(path)) || seen.has(key)) continue
    seen.add(key)
    out.push({ path: part === undefined ? path : fieldPath(part, path), message })
  }
  return out
}
