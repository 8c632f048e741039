/** A small seeded pseudo-random generator (mulberry32) and the helpers the seed data needs. */
export interface Prng {
  /** A float in [0, 1). */
  next (): number
  /** An integer in [min, max], both inclusive. */
  int (min: number, max: number): number
  /** True with the given probability. */
  chance (p: number): boolean
  pick<T> (items: readonly T[]): T
  /** A string of `length` decimal digits (leading zeros allowed). */
  digits (length: number): string
}

export function mulberry32 (seed: number): Prng {
  const state = new Uint32Array([seed >>> 0]) // an unboxed uint32: no heap number per call
  const next = (): number => {
    state[0] += 0x6D2B79F5
    let t = state[0]
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
    digits: (length) => {
      let out = ''
      for (let i = 0; i < length; i++) out += String(int(0, 9))
      return out
    }
  }
}

/** FNV-1a hash of a string, to derive an independent stream per data set from one seed. */
function fnv1a (text: string): number {
  let h = 0x811C9DC5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** A generator for one named stream of one seed: same (seed, name) → same sequence. */
export const stream = (seed: number, name: string): Prng => mulberry32((seed ^ fnv1a(name)) >>> 0)

/** The seed used when none is given (the day the 2025 administrative reform took effect). */
export const DEFAULT_SEED = 20250701
