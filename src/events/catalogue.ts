import { readFileSync } from 'node:fs'
import { getSchema } from '../catalog/schemas.js'
import { createValidator, type ValidationResult } from '../catalog/validator.js'
import { fromRoot } from '../lib/repo-root.js'

/** One event type (config/events/event-types.json): data, with a JSON Schema of its `data` in schemas/. */
export interface EventType {
  id: string
  version: string
  title: string
  description: string
  /** `$id` of the schema of the event's `data`. */
  schema: string
  producers: readonly string[]
  /** Dotted path of the subject deliveries are ordered by (per subscription): dossier code, PIN, unit code. */
  orderBy: string
  caseId?: string
  agency?: string
  procedure?: string
  /** Places the event is about, by role: dotted paths of `event.location` objects in the data. */
  locations: Readonly<Record<string, string>>
  /** Dotted paths of personal identifiers: kept as keyed hashes in the events table and the audit trail. */
  subjects: readonly string[]
}

export const EVENT_TYPES_FILE = 'config/events/event-types.json'
const ID = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/

/** Reads and checks the event types: ids well formed and unique, every schema present. */
export function readEventTypes (file = EVENT_TYPES_FILE): EventType[] {
  const parsed = JSON.parse(readFileSync(fromRoot(file), 'utf8')) as { eventTypes: EventType[] }
  const seen = new Set<string>()
  for (const t of parsed.eventTypes) {
    if (!ID.test(t.id) || seen.has(t.id)) throw new Error(`${file}: event type id "${t.id}" is malformed or repeated`)
    if (getSchema(t.schema) === undefined) throw new Error(`${file}: event type ${t.id} names the unknown schema "${t.schema}"`)
    seen.add(t.id)
  }
  return parsed.eventTypes.map((t) => Object.freeze({ ...t, locations: Object.freeze({ ...t.locations }), subjects: Object.freeze([...t.subjects]) }))
}

/** The event types, their schemas and the validation of event data (compiled once per catalogue). */
export class EventCatalogue {
  readonly types: readonly EventType[]
  readonly #byId: ReadonlyMap<string, EventType>
  readonly #validator = createValidator()

  constructor (types: EventType[] = readEventTypes()) {
    this.types = Object.freeze(types)
    this.#byId = new Map(types.map((t) => [t.id, t]))
  }

  get (id: string): EventType | undefined { return this.#byId.get(id) }

  /** Checks an event's data against its type's schema. */
  validate (type: EventType, data: unknown): ValidationResult {
    return this.#validator.validate(type.schema, data)
  }
}
