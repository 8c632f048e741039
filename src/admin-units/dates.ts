/**
 * Dates of the administrative-unit table. All dates are ISO calendar dates (`YYYY-MM-DD`), compared as
 * strings, in Vietnam's time zone (Asia/Ho_Chi_Minh, UTC+7, no daylight saving time).
 */

/** Decision 19/2025/QĐ-TTg: two-tier government, 34 provinces and 3,321 communes. */
export const REFORM_DATE = '2025-07-01'
/** Last day on which the 63 provinces, the districts and the ~10,000 old communes existed. */
export const PRE_REFORM_LAST_DAY = '2025-06-30'
/** Resolution 30/2026/QH16 (Đồng Nai a centrally-run city) and 237/NQ-UBTVQH16 (10 xã → phường). */
export const DONG_NAI_CHANGE_DATE = '2026-04-30'

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const vnDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit'
})

/** Today's date in Vietnam. */
export function todayInVietnam (now: Date = new Date()): string {
  return vnDate.format(now)
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate (value: unknown): value is string {
  if (typeof value !== 'string') return false
  const m = ISO_DATE.exec(value)
  if (m === null) return false
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999
  const d = new Date(0)
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  return d.toISOString().slice(0, 10) === value
}

/** The day before an ISO date. */
export function dayBefore (date: string): string {
  const d = new Date(date + 'T00:00:00Z')
  d.setUTCDate(d.getUTCDate() - 1)
  return d.toISOString().slice(0, 10)
}

/** Whether a dated record is valid on `date` (null bounds are open). */
export function validOn (period: { validFrom: string | null, validTo: string | null }, date: string): boolean {
  return (period.validFrom === null || period.validFrom <= date) && (period.validTo === null || date <= period.validTo)
}

/** Whether a date falls before the reform, when codes and names must be read as pre-reform. */
export function isPreReform (date: string): boolean {
  return date < REFORM_DATE
}
