import { REFORM_DATE, todayInVietnam, type AdminUnits, type AdminUnit, type Level, type LinkedUnit } from '../../admin-units/index.js'
import type { FeedEvent, FeedPage } from '../../connectors/contract.js'
import type { PullSource } from './puller.js'

export const ADMIN_UNITS_SOURCE = 'admin-units'

/** A change of the tables: its key (`date|level|code|change`) and its event, made only when it is given out. */
interface Change { key: string, effective: string, event: () => FeedEvent }

function dayAfter (date: string): string {
  const d = new Date(date + 'T00:00:00Z')
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}

function unitView (u: AdminUnit): Record<string, unknown> {
  return {
    name: u.name,
    fullName: u.fullName,
    type: u.type,
    ...(u.parentCode !== null ? { parentCode: u.parentCode } : {}),
    ...(u.validFrom !== null ? { validFrom: u.validFrom } : {}),
    ...(u.validTo !== null ? { validTo: u.validTo } : {})
  }
}

const links = (list: LinkedUnit[]): Array<{ code: string, kind: string }> => list.map((l) => ({ code: l.unit.code, kind: l.kind }))
const place = (level: Level, code: string, asOf: string): Record<string, string> =>
  level === 'province' ? { provinceCode: code, asOf } : { communeCode: code, asOf }

/** Every dated change of the code tables: a code taking a (new) meaning, or ending without a next one. */
function changesOf (units: AdminUnits): Change[] {
  const out: Change[] = []
  const { store } = units
  for (const level of ['province', 'commune'] as const) {
    for (const [code, versions] of store.versions[level]) {
      versions.forEach((v, i) => {
        const prev = i > 0 ? versions[i - 1] : undefined
        if (v.validFrom !== null) {
          const change = prev === undefined ? 'created' : 'changed'
          out.push({
            key: `${v.validFrom}|${level}|${code}|${change}`,
            effective: v.validFrom,
            event: () => ({
              type: 'admin-unit.changed',
              sourceEventId: `${level}:${code}:${v.validFrom as string}:${change}`,
              occurredAt: `${v.validFrom}T00:00:00+07:00`,
              data: {
                level,
                code,
                effectiveFrom: v.validFrom,
                change,
                before: prev !== undefined ? unitView(prev) : null,
                after: unitView(v),
                // the units merged into it, for the reform's new units (later changes keep the code's lineage)
                predecessors: v.validFrom === REFORM_DATE ? links(store.predecessorsOf(v)) : [],
                location: place(level, code, v.validFrom as string)
              }
            })
          })
        }
        if (v.validTo !== null && i === versions.length - 1) {
          const effective = dayAfter(v.validTo)
          out.push({
            key: `${effective}|${level}|${code}|ended`,
            effective,
            event: () => ({
              type: 'admin-unit.changed',
              sourceEventId: `${level}:${code}:${effective}:ended`,
              occurredAt: `${effective}T00:00:00+07:00`,
              data: {
                level,
                code,
                effectiveFrom: effective,
                change: 'ended',
                before: unitView(v),
                after: null,
                successors: links(store.successorsOn(v, effective)),
                location: place(level, code, v.validTo as string)
              }
            })
          })
        }
      })
    }
  }
  return out.sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
}

/**
 * The gateway's own source of `admin-unit.changed`: the changes of the dated code tables that took effect up to
 * today, in date order. Its cursor is the key of the last change given (`date|level|code|change`); it starts after
 * `since` (EVENTS_ADMIN_UNITS_SINCE; unset: the day the gateway first runs), so past changes — the reform of
 * 2025-07-01 itself — are not replayed to every subscriber unless asked. Today moves on by itself: a change dated
 * tomorrow is given tomorrow.
 */
export function adminUnitsSource (units: AdminUnits, since: string | undefined, today: () => string = todayInVietnam): PullSource {
  let changes: Change[] | undefined
  const start = `${since ?? today()}|~`
  return {
    id: ADMIN_UNITS_SOURCE,
    initialCursor: start,
    async fetch (cursor, limit): Promise<FeedPage> {
      changes ??= changesOf(units)
      const after = cursor ?? start
      const until = today()
      // the first change after the cursor (keys sorted), then those in force by today
      let lo = 0
      let hi = changes.length
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (changes[mid].key <= after) lo = mid + 1
        else hi = mid
      }
      const page: Change[] = []
      for (let i = lo; i < changes.length && page.length < limit && changes[i].effective <= until; i++) page.push(changes[i])
      return { events: page.map((c) => c.event()), cursor: page.length > 0 ? page[page.length - 1].key : after }
    }
  }
}
