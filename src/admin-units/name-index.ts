/**
 * Name lookup over units (any dated version): exact matching for the resolver, substring search for
 * listings. Both compare on the keys of `normalize.ts` (accented when the query has diacritics, ASCII
 * otherwise), on the name with and without its unit prefix.
 */
import { asciiOfKey, nameKey, queryKey, stripUnitPrefix } from './normalize.js'

export interface Named {
  name: string
  fullName: string
  type: string
}

interface Keys { name: string, fullName: string, asciiName: string, asciiFullName: string }

export class NameIndex<T extends Named> {
  /** Units by the ASCII key of their bare name; the other keys are compared on the few hits. */
  private readonly byName = new Map<string, T[]>()
  private readonly keys = new Map<T, Keys>()

  constructor (items: Iterable<T>) {
    // Names repeat a lot (old and new units, common names): key each distinct text once.
    const keyMemo = new Map<string, string>()
    const asciiMemo = new Map<string, string>()
    const key = (text: string): string => {
      let k = keyMemo.get(text)
      if (k === undefined) keyMemo.set(text, k = nameKey(text))
      return k
    }
    const ascii = (k: string): string => {
      let a = asciiMemo.get(k)
      if (a === undefined) asciiMemo.set(k, a = asciiOfKey(k))
      return a
    }
    for (const item of items) {
      const name = key(item.name)
      // A full name is "<prefix> <name>": key the few distinct prefixes and reuse the name's key.
      const cut = item.fullName.length - item.name.length - 1
      const prefix = cut > 0 && item.fullName.endsWith(' ' + item.name) ? key(item.fullName.slice(0, cut)) : null
      const fullName = prefix === null ? key(item.fullName) : prefix + ' ' + name
      const asciiName = ascii(name)
      const asciiFullName = prefix === null ? ascii(fullName) : ascii(prefix) + ' ' + asciiName
      this.keys.set(item, { name, fullName, asciiName, asciiFullName })
      const list = this.byName.get(asciiName)
      if (list === undefined) this.byName.set(asciiName, [item])
      else list.push(item)
    }
  }

  /**
   * Units whose name or full name equals the query. When none does and the query starts with a unit
   * prefix, the prefix is dropped and the rest compared with the bare name, preferring units of the type
   * the prefix names (`Phường Lộc Ninh` still finds `Xã Lộc Ninh` if no phường has that name).
   */
  match (query: string, filter: (item: T) => boolean = () => true): T[] {
    const q = queryKey(query)
    if (q.key === '') return []
    const pick = (k: Keys): [string, string] => q.ascii ? [k.asciiName, k.asciiFullName] : [k.name, k.fullName]
    const exact: T[] = []
    for (const item of this.byName.get(asciiOfKey(q.key)) ?? []) {
      if (pick(this.keysOf(item))[0] === q.key && filter(item)) exact.push(item)
    }
    const stripped = stripUnitPrefix(q.key)
    if (stripped === null) return exact
    const loose: T[] = []
    for (const item of this.byName.get(asciiOfKey(stripped.rest)) ?? []) {
      const [name, fullName] = pick(this.keysOf(item))
      if (fullName === q.key && filter(item) && !exact.includes(item)) exact.push(item)
      else if (name === stripped.rest && filter(item)) loose.push(item)
    }
    if (exact.length > 0) return exact
    const sameType = loose.filter(item => item.type === stripped.type)
    return sameType.length > 0 ? sameType : loose
  }

  /**
   * Substring search among `items`, best first: exact name, then name starting with the query, then
   * the query anywhere in the name or full name. Items not in the index are skipped.
   */
  search (query: string, items: Iterable<T>): T[] {
    const q = queryKey(query)
    if (q.key === '') return [...items]
    const ranked: Array<[number, T]> = []
    for (const item of items) {
      const k = this.keys.get(item)
      if (k === undefined) continue
      const name = q.ascii ? k.asciiName : k.name
      const full = q.ascii ? k.asciiFullName : k.fullName
      let rank = -1
      if (name === q.key || full === q.key) rank = 0
      else if (name.startsWith(q.key) || full.startsWith(q.key)) rank = 1
      else if (name.includes(q.key) || full.includes(q.key)) rank = 2
      if (rank >= 0) ranked.push([rank, item])
    }
    return ranked.sort((a, b) => a[0] - b[0]).map(r => r[1])
  }

  private keysOf (item: T): Keys {
    return this.keys.get(item) as Keys
  }
}
