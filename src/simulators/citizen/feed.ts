import type { Citizen } from './data.js'

export interface Place { provinceCode: string, communeCode: string, asOf?: string }

/** One change of the population database's feed, as `POST /api/citizens/changes` answers it. */
export interface PopulationChange {
  changeId: string
  kind: 'DEATH' | 'RESIDENCE'
  recordedAt: string
  citizen: { personalId: string, fullName: string, dateOfBirth: string, gender: 'male' | 'female' }
  death?: { date: string, registrationNo?: string, residence: Place }
  residence?: { kind: 'permanent' | 'temporary', date: string, from: Place, to: Place }
}

const MAX_PAGE = 1000
const today = (): string => new Date().toISOString().slice(0, 10)

/**
 * The population database's change feed (simulated): deaths and changes of residence, with sequential change ids,
 * read with "the changes after this one". Lookups see the changes (a deceased citizen, a new address) through
 * `current`; the seed records themselves are shared and never modified.
 */
export class PopulationFeed {
  readonly #byPin: ReadonlyMap<string, Citizen>
  readonly #changed = new Map<string, Citizen>()
  readonly #changes: PopulationChange[] = []

  constructor (citizens: readonly Citizen[]) {
    this.#byPin = new Map(citizens.map((c) => [c.personalId, c]))
  }

  get size (): number { return this.#changes.length }

  /** A citizen as the database holds it now. */
  current (pin: string): Citizen | undefined { return this.#changed.get(pin) ?? this.#byPin.get(pin) }

  #person (c: Citizen): PopulationChange['citizen'] {
    return { personalId: c.personalId, fullName: c.fullName, dateOfBirth: c.dateOfBirth, gender: c.gender }
  }

  #add (change: Omit<PopulationChange, 'changeId' | 'recordedAt'>): PopulationChange {
    const full = { changeId: String(this.#changes.length + 1), recordedAt: new Date().toISOString(), ...change }
    this.#changes.push(full)
    return full
  }

  /** Records the death of a living citizen; undefined for an unknown PIN or a citizen already deceased. */
  recordDeath (pin: string, date = today(), registrationNo?: string): PopulationChange | undefined {
    const c = this.current(pin)
    if (c === undefined || c.status === 'deceased') return undefined
    this.#changed.set(pin, { ...c, status: 'deceased' })
    const { provinceCode, communeCode } = c.permanentAddress
    return this.#add({ kind: 'DEATH', citizen: this.#person(c), death: { date, ...(registrationNo !== undefined ? { registrationNo } : {}), residence: { provinceCode, communeCode } } })
  }

  /** Records a move of a living citizen's permanent residence; undefined for an unknown or deceased citizen. */
  moveResidence (pin: string, to: Place, date = today()): PopulationChange | undefined {
    const c = this.current(pin)
    if (c === undefined || c.status === 'deceased') return undefined
    const from = { provinceCode: c.permanentAddress.provinceCode, communeCode: c.permanentAddress.communeCode }
    this.#changed.set(pin, { ...c, permanentAddress: { ...c.permanentAddress, provinceCode: to.provinceCode, communeCode: to.communeCode } })
    return this.#add({ kind: 'RESIDENCE', citizen: this.#person(c), residence: { kind: 'permanent', date, from, to } })
  }

  /** The changes after change id `after`, at most `limit` (1–1000). */
  changesAfter (after: number, limit: number): PopulationChange[] {
    return this.#changes.slice(after, after + Math.min(Math.max(1, limit), MAX_PAGE))
  }
}
