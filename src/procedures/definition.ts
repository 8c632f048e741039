import type { SchemaObject } from 'ajv'
import { getService } from '../catalog/services.js'
import { getSchema } from '../catalog/schemas.js'
import type { Validator } from '../catalog/validator.js'

/** What a step does when its system answers that documents are missing, and when it fails for good. */
export interface FailurePolicy {
  retry?: { attempts?: number, baseDelayMs?: number, maxDelayMs?: number }
  incomplete?: 'supplement' | 'fail'
  supplementWorkingDays?: number
  then?: 'stop-dependants' | 'stop-case'
}

/** An input mapping: `"filing:/pointer"`, `"case:/id"`, `"<stepId>:/pointer"`, or a constant. */
export type InputSource = string | { const: unknown }

export interface StepDefinition {
  id: string
  title: string
  service: string
  procedureCode: string
  procedureName?: string
  fieldCode?: string
  portal?: boolean
  optional?: boolean
  inputs: Record<string, InputSource>
  after?: string[]
  deadlineWorkingDays: number
  onFailure?: FailurePolicy
}

/** A procedure group as data (schemas/procedure-group.json). */
export interface GroupDefinition {
  id: string
  title: string
  description?: string
  legalBasis?: string
  filingSchema: string
  dossier: { procedureCode: string, procedureName: string, fieldCode: string, fieldName?: string }
  choice?: { min?: number, max?: number }
  steps: StepDefinition[]
}

export interface GroupError { path: string, message: string }

/** A parsed source: where an input comes from. */
export interface Source { from: 'filing' | 'case' | 'step', step?: string, pointer: string }

export function parseSource (s: string): Source {
  const i = s.indexOf(':')
  const head = s.slice(0, i)
  const pointer = s.slice(i + 1)
  if (head === 'filing' || head === 'case') return { from: head, pointer }
  return { from: 'step', step: head, pointer }
}

const CASE_FIELDS = new Set(['/id', '/dossierCode', '/filedAt', '/agencyCode', '/provinceCode'])

/** Steps a step waits for: those it takes an input from, and those it lists in `after`. */
export function dependenciesOf (step: StepDefinition): string[] {
  const deps = new Set<string>(step.after ?? [])
  for (const src of Object.values(step.inputs)) {
    if (typeof src !== 'string') continue
    const p = parseSource(src)
    if (p.from === 'step' && p.step !== undefined) deps.add(p.step)
  }
  return [...deps]
}

/** The schema a JSON pointer leads to inside `schema` (through `properties` and `items`), or undefined. */
function schemaAt (schema: SchemaObject | undefined, pointer: string): SchemaObject | undefined {
  let cur = schema
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    if (cur === undefined) return undefined
    if (cur.type === 'array' && /^\d+$/.test(key)) { cur = cur.items as SchemaObject | undefined; continue }
    const props = cur.properties as Record<string, SchemaObject> | undefined
    cur = props !== undefined && Object.hasOwn(props, key) ? props[key] : undefined
  }
  return cur
}

/** The cycle through `start` in the dependency graph, as a path of step ids, if there is one. */
function findCycle (deps: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>()
  const stack: string[] = []
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id]
    state.set(id, 'visiting')
    stack.push(id)
    for (const d of deps.get(id) ?? []) {
      if (!deps.has(d)) continue
      const cycle = visit(d)
      if (cycle !== undefined) return cycle
    }
    stack.pop()
    state.set(id, 'done')
    return undefined
  }
  for (const id of deps.keys()) {
    const cycle = visit(id)
    if (cycle !== undefined) return cycle
  }
  return undefined
}

/**
 * Every problem of a group definition, each with the JSON path it is at: the shape (schemas/procedure-group.json),
 * unknown services or schemas, inputs that lead nowhere (an unknown step, a field its answer does not have, a
 * field the filing form does not have), request fields left without an input, a required step waiting for an
 * optional one, and cycles. An empty list: the group can run.
 */
export function checkGroup (def: unknown, validator: Validator): GroupError[] {
  const shape = validator.validate('procedure-group', def)
  if (!shape.ok) return shape.errors.map((e) => ({ path: e.path, message: e.message }))
  const g = def as GroupDefinition
  const errors: GroupError[] = []
  const filing = getSchema(g.filingSchema)
  if (filing === undefined) errors.push({ path: '/filingSchema', message: `no schema "${g.filingSchema}" in schemas/` })
  const byId = new Map<string, StepDefinition>()
  g.steps.forEach((s, i) => {
    if (byId.has(s.id)) errors.push({ path: `/steps/${i}/id`, message: `duplicate step id "${s.id}"` })
    byId.set(s.id, s)
  })
  g.steps.forEach((s, i) => {
    const at = `/steps/${i}`
    const service = getService(s.service)
    if (service === undefined || service.kind !== 'step') {
      errors.push({ path: `${at}/service`, message: `"${s.service}" is not a step service of the catalogue` })
      return
    }
    const request = getSchema(service.requestSchemaId)
    const requestProps = (request?.properties ?? {}) as Record<string, unknown>
    for (const [field, src] of Object.entries(s.inputs)) {
      const path = `${at}/inputs/${field}`
      if (!Object.hasOwn(requestProps, field)) errors.push({ path, message: `${s.service} takes no field "${field}"` })
      if (typeof src !== 'string') continue
      const p = parseSource(src)
      if (p.from === 'filing' && filing !== undefined && schemaAt(filing, p.pointer) === undefined) {
        errors.push({ path, message: `dangling input: the filing (${g.filingSchema}) has no ${p.pointer}` })
      } else if (p.from === 'case' && !CASE_FIELDS.has(p.pointer)) {
        errors.push({ path, message: `dangling input: a case has no ${p.pointer} (one of ${[...CASE_FIELDS].join(', ')})` })
      } else if (p.from === 'step') {
        const from = byId.get(p.step ?? '')
        if (from === undefined) { errors.push({ path, message: `dangling input: there is no step "${p.step ?? ''}"` }); continue }
        if (from.id === s.id) { errors.push({ path, message: 'a step cannot take an input from itself' }); continue }
        const answer = getSchema(getService(from.service)?.responseSchemaId ?? '')
        const outputs = schemaAt(answer, '/outputs')
        if (outputs !== undefined && schemaAt(outputs, p.pointer) === undefined) {
          errors.push({ path, message: `dangling input: step "${from.id}" (${from.service}) gives no ${p.pointer}` })
        }
      }
    }
    for (const field of (request?.required ?? []) as string[]) {
      if (!Object.hasOwn(s.inputs, field)) errors.push({ path: `${at}/inputs`, message: `${s.service} needs an input for "${field}"` })
    }
    ;(s.after ?? []).forEach((a, j) => {
      if (!byId.has(a)) errors.push({ path: `${at}/after/${j}`, message: `there is no step "${a}"` })
    })
    if (s.optional !== true) {
      for (const d of dependenciesOf(s)) {
        if (byId.get(d)?.optional === true) errors.push({ path: at, message: `required step "${s.id}" cannot wait for optional step "${d}"` })
      }
    }
  })
  const cycle = findCycle(new Map(g.steps.map((s) => [s.id, dependenciesOf(s)])))
  if (cycle !== undefined) errors.push({ path: '/steps', message: `the steps form a cycle: ${cycle.join(' → ')}` })
  const portal = g.steps.filter((s) => s.portal !== false)
  const c = g.choice
  if (c?.min !== undefined && c.max !== undefined && c.min > c.max) errors.push({ path: '/choice', message: 'min is above max' })
  if (c?.max !== undefined && portal.filter((s) => s.optional !== true).length > c.max) {
    errors.push({ path: '/choice/max', message: 'the required procedures alone are more than max' })
  }
  return errors
}

/** A checked group, ready to run: steps by id, dependencies and dependants. */
export class Group {
  readonly def: GroupDefinition
  readonly version: number
  readonly steps: ReadonlyMap<string, StepDefinition>
  readonly deps: ReadonlyMap<string, readonly string[]>
  readonly dependants: ReadonlyMap<string, readonly string[]>

  constructor (def: GroupDefinition, version: number) {
    this.def = def
    this.version = version
    this.steps = new Map(def.steps.map((s) => [s.id, s]))
    this.deps = new Map(def.steps.map((s) => [s.id, dependenciesOf(s)]))
    const dependants = new Map<string, string[]>(def.steps.map((s) => [s.id, []]))
    for (const [id, ds] of this.deps) for (const d of ds) dependants.get(d)?.push(id)
    this.dependants = dependants
  }

  get id (): string { return this.def.id }

  step (id: string): StepDefinition {
    const s = this.steps.get(id)
    if (s === undefined) throw new Error(`group ${this.id} v${this.version} has no step ${id}`)
    return s
  }

  /** Every step that depends on `id`, directly or not. */
  downstream (id: string): string[] {
    const out = new Set<string>()
    const todo = [...this.dependants.get(id) ?? []]
    while (todo.length > 0) {
      const next = todo.pop() as string
      if (out.has(next)) continue
      out.add(next)
      todo.push(...this.dependants.get(next) ?? [])
    }
    return [...out]
  }
}
