/** Display width of a cell: code points after NFC (Vietnamese names keep their tone marks in one column). */
const width = (s: string): number => [...s.normalize('NFC')].length

/** Pads cells into aligned columns, two spaces apart; no trailing spaces. */
export function columns (rows: string[][]): string[] {
  const count = Math.max(0, ...rows.map((r) => r.length))
  const widths = Array.from({ length: count }, (_, i) => Math.max(0, ...rows.map((r) => width(r[i] ?? ''))))
  return rows.map((cells) =>
    cells.map((c, i) => i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - width(c))).join('  ').trimEnd())
}

/** Renders rows under a header. */
export const table = (header: string[], rows: string[][]): string => columns([header, ...rows]).join('\n')

/** A list cell: comma-separated, or `-` when empty. */
export const joined = (xs: unknown): string => Array.isArray(xs) && xs.length > 0 ? xs.join(',') : '-'

export const yesNo = (b: unknown): string => b === false ? 'no' : 'yes'

export const pretty = (value: unknown): string => JSON.stringify(value, null, 2)
