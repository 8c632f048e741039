import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fromRoot } from '../lib/repo-root.js'
import type { Validator } from '../catalog/validator.js'

/** One year of `config/calendar/YYYY.json` (schemas/calendar-year.json). */
export interface CalendarYear {
  year: number
  source?: string
  holidays: Array<{ date: string, name: string }>
  workingDays: Array<{ date: string, name: string }>
}

/** Vietnam has used UTC+7 without daylight saving time since 1975. */
const HCM_OFFSET_MS = 7 * 3600_000
const DAY_MS = 86_400_000
/** Office hours end at 17:00; a dossier complete after 15:00 counts from the next working day (same-day rule). */
export const OFFICE_END_HOUR = 17
export const SAME_DAY_CUTOFF_HOUR = 15

const isoDay = (localMs: number): string => new Date(localMs).toISOString().slice(0, 10)

/**
 * Working days of the state administration: Monday–Friday, less the public holidays of each year (Tết Dương lịch,
 * the lunar Tết, Hùng Kings day, 30/4, 1/5, National Day, their compensatory days), plus working weekend days
 * given in exchange for a bridge. Years without data count weekends only (`covers` tells which years have data).
 */
export class WorkingCalendar {
  readonly #holidays = new Map<string, string>()
  readonly #working = new Set<string>()
  readonly #years = new Set<number>()

  constructor (years: CalendarYear[]) {
    for (const y of years) {
      this.#years.add(y.year)
      for (const h of y.holidays) this.#holidays.set(h.date, h.name)
      for (const w of y.workingDays) this.#working.add(w.date)
    }
  }

  covers (year: number): boolean { return this.#years.has(year) }

  /** The holiday's name, when this `YYYY-MM-DD` is one. */
  holiday (day: string): string | undefined { return this.#holidays.get(day) }

  isWorkingDay (day: string): boolean {
    if (this.#working.has(day)) return true
    if (this.#holidays.has(day)) return false
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay()
    return weekday !== 0 && weekday !== 6
  }

  /**
   * The deadline of a step that became ready at `from`, in `days` working days: 0 = the same working day (the
   * next one when ready after 15:00 or on a day off); n ≥ 1 = the n-th working day after the day it became ready.
   * Always at the end of office hours (17:00 Asia/Ho_Chi_Minh).
   */
  deadline (from: Date, days: number): Date {
    const local = from.getTime() + HCM_OFFSET_MS
    let dayMs = Math.floor(local / DAY_MS) * DAY_MS
    let remaining = days
    if (days === 0) {
      const hour = (local - dayMs) / 3600_000
      if (this.isWorkingDay(isoDay(dayMs)) && hour < SAME_DAY_CUTOFF_HOUR) return this.#endOf(dayMs)
      remaining = 1
    }
    for (let guard = 0; remaining > 0 && guard < 3660; guard++) {
      dayMs += DAY_MS
      if (this.isWorkingDay(isoDay(dayMs))) remaining--
    }
    return this.#endOf(dayMs)
  }

  #endOf (localDayMs: number): Date {
    return new Date(localDayMs + OFFICE_END_HOUR * 3600_000 - HCM_OFFSET_MS)
  }
}

/** Reads and validates every `config/calendar/YYYY.json`; a bad file stops the start with its path and error. */
export function loadCalendar (validator: Validator, dir = fromRoot('config/calendar')): WorkingCalendar {
  const years: CalendarYear[] = []
  for (const file of readdirSync(dir).filter((f) => /^\d{4}\.json$/.test(f)).sort()) {
    const data = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CalendarYear
    const checked = validator.validate('calendar-year', data)
    if (!checked.ok) throw new Error(`config/calendar/${file}: ${checked.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`)
    if (`${data.year}.json` !== file) throw new Error(`config/calendar/${file}: year ${data.year} does not match the file name`)
    const wrong = [...data.holidays, ...data.workingDays].find((d) => !d.date.startsWith(`${data.year}-`))
    if (wrong !== undefined) throw new Error(`config/calendar/${file}: ${wrong.date} is not in ${data.year}`)
    years.push(data)
  }
  return new WorkingCalendar(years)
}
