import type { FeedEvent } from '../../src/connectors/contract.js'

type Json = Record<string, unknown>

const obj = (v: unknown): Json => typeof v === 'object' && v !== null ? v as Json : {}
const present = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

/**
 * One change of the population database's feed in the gateway's canonical form: a death → `citizen.death-recorded`,
 * a change of residence → `citizen.residence-changed`. An unknown kind becomes an event of an unknown type, which
 * the gateway refuses and reports.
 */
export function toFeedEvent (change: Json): FeedEvent {
  const c = obj(change.citizen)
  const person = { personalId: c.personalId, fullName: c.fullName, dateOfBirth: c.dateOfBirth }
  const common = { sourceEventId: String(change.changeId), occurredAt: String(change.recordedAt) }
  if (change.kind === 'DEATH') {
    const d = obj(change.death)
    return {
      ...common,
      type: 'citizen.death-recorded',
      data: present({ ...person, gender: c.gender, dateOfDeath: d.date, deathRegistrationNo: d.registrationNo, residence: d.residence })
    }
  }
  if (change.kind === 'RESIDENCE') {
    const r = obj(change.residence)
    return { ...common, type: 'citizen.residence-changed', data: present({ ...person, kind: r.kind, movedAt: r.date, from: r.from, to: r.to }) }
  }
  return { ...common, type: `population.${String(change.kind)}`, data: {} }
}
