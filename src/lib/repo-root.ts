import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let cached: string | undefined

/**
 * The project's root folder (the one holding package.json), found from this file's location so that
 * data, schemas and migrations are found the same way from `src/` (tests) and `dist/src/` (production).
 */
export function repoRoot (): string {
  if (cached !== undefined) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url))
    dir = up
  }
  cached = dir
  return dir
}

export const fromRoot = (...parts: string[]): string => join(repoRoot(), ...parts)
