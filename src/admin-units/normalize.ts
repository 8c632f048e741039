/**
 * Name normalisation for matching Vietnamese unit names.
 *
 * - Unicode: input may be NFC or NFD (or mix precomposed and combining marks); all of it compares equal.
 * - Tone placement: `Hòa` = `Hoà`, `Thủy` = `Thuỷ`, `Thanh Hóa` = `Thanh Hoá` (the 2026 NSO data uses the
 *   old-style placement, the 2025 data the new one). Each syllable's tone mark is moved to its end, so the
 *   key keeps the tone but not where it was written.
 * - Case, spacing and punctuation (`Bà Rịa - Vũng Tàu` = `bà rịa vũng tàu`, `Đạ M'ri` = `Đạ Mri`).
 * - Diacritics: `asciiKey` drops every mark and maps `đ` to `d`; a query typed without any diacritic is
 *   compared on that key (`Hoan Kiem`), a query with diacritics on the accented key.
 * - Unit prefixes (Tỉnh, Thành phố/TP, Phường, Xã, Đặc khu, Thị trấn, Quận, Huyện, Thị xã) are optional:
 *   `stripUnitPrefix` removes one and says which type it named.
 */
import type { DistrictType, UnitType } from './types.js'

const MARKS = /[\u0300-\u036f]/g

/** Unit prefixes, as ASCII word sequences, longest first, with the type each names. */
const PREFIXES: Array<[string[], UnitType | DistrictType]> = [
  [['thanh', 'pho'], 'thanh-pho'],
  [['dac', 'khu'], 'dac-khu'],
  [['thi', 'tran'], 'thi-tran'],
  [['thi', 'xa'], 'thi-xa'],
  [['tp'], 'thanh-pho'],
  [['tinh'], 'tinh'],
  [['phuong'], 'phuong'],
  [['xa'], 'xa'],
  [['quan'], 'quan'],
  [['huyen'], 'huyen']
]

/** Unicode NFC, the form stored and returned everywhere. */
export function toNfc (value: string): string {
  return value.normalize('NFC')
}

/** Letters (lowercase Latin, with Vietnamese precomposed and combining forms) and digits. */
function isWordChar (c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 0xc0 && c <= 0x24f) ||
    (c >= 0x300 && c <= 0x36f) || (c >= 0x1e00 && c <= 0x1eff)
}

/** NFD tone marks: grave (huyền), acute (sắc), tilde (ngã), hook above (hỏi), dot below (nặng). */
function isToneMark (c: number): boolean {
  return c === 0x300 || c === 0x301 || c === 0x303 || c === 0x309 || c === 0x323
}

/** ' ’ ‘ ` ʼ are dropped inside words (`Đạ M'ri` = `Đạ Mri`). */
function isApostrophe (c: number): boolean {
  return c === 39 || c === 0x2019 || c === 0x2018 || c === 96 || c === 0x2bc
}

/**
 * Lowercase NFD words separated by single spaces, with each word's tone mark moved to its end. A plain
 * character loop: this runs for every unit name at load, and regular expressions over these two-byte
 * strings were the bulk of the load time.
 */
function baseKey (value: string): string {
  const s = value.normalize('NFD').toLowerCase()
  let out = ''
  let word = ''
  let tone = ''
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (isWordChar(c)) {
      if (isToneMark(c)) tone = s[i]
      else word += c === 0xf0 ? 'đ' : s[i]
    } else if (!isApostrophe(c) && word !== '') {
      out = out === '' ? word + tone : out + ' ' + word + tone
      word = ''
      tone = ''
    }
  }
  if (word !== '') out = out === '' ? word + tone : out + ' ' + word + tone
  return out
}

function asciiWord (word: string): string {
  return word.replace(MARKS, '').replace(/đ/g, 'd')
}

const TP_EXPANSION = baseKey('Thành phố')

/**
 * The accented matching key: lowercase, NFD, tone marks moved to the end of each syllable, punctuation
 * folded to single spaces, a leading `TP` expanded to `Thành phố`. Not meant for display.
 */
export function nameKey (value: string): string {
  const k = baseKey(value)
  if (k === 'tp' || k.startsWith('tp ')) return TP_EXPANSION + k.slice(2)
  return k
}

/** The key without any diacritic (`đ` → `d`). */
export function asciiKey (value: string): string {
  return asciiWord(nameKey(value))
}

/** The ASCII form of a key already made by `nameKey`. */
export function asciiOfKey (key: string): string {
  return asciiWord(key)
}

/** Whether the text carries any Vietnamese diacritic (including `đ`). */
export function hasDiacritics (value: string): boolean {
  const k = nameKey(value)
  return k !== asciiWord(k)
}

/**
 * The key to compare a query on: accented when the query has diacritics, ASCII when it has none
 * (so `Hoan Kiem` finds `Hoàn Kiếm`, while `Hòa` does not find `Hóa`).
 */
export function queryKey (value: string): { key: string, ascii: boolean } {
  return hasDiacritics(value) ? { key: nameKey(value), ascii: false } : { key: asciiKey(value), ascii: true }
}

/**
 * Removes one leading unit prefix from a key made by `nameKey` or `asciiKey`. Returns the rest and the
 * type the prefix names, or null when there is no prefix (or nothing would remain).
 */
export function stripUnitPrefix (key: string): { type: UnitType | DistrictType, rest: string } | null {
  const w = key.split(' ')
  const a = w.map(asciiWord)
  for (const [prefix, type] of PREFIXES) {
    if (w.length <= prefix.length) continue
    if (prefix.every((p, i) => a[i] === p)) return { type, rest: w.slice(prefix.length).join(' ') }
  }
  return null
}

/** Whether two names are the same, ignoring Unicode form, tone placement, case and punctuation. */
export function sameName (a: string, b: string, options: { diacritics?: boolean } = {}): boolean {
  return options.diacritics === false ? asciiKey(a) === asciiKey(b) : nameKey(a) === nameKey(b)
}
