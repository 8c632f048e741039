import { createHash, randomUUID } from 'node:crypto'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { PreparedEvent } from './canonical.js'

/**
 * Events still buffered when a graceful shutdown ran out of time (database unavailable) are written to a local
 * file and put back in the buffer at the next start. They are already in their stored form: subjects and body
 * hashes keyed, text scrubbed — a spill file holds no identifier in clear. Files are per database, so that two
 * gateways sharing a directory never write each other's events.
 */
export function spillTag (databaseUrl: string): string {
  let key = databaseUrl
  try {
    const u = new URL(databaseUrl)
    key = `${u.hostname}:${u.port}${u.pathname}`
  } catch {}
  return createHash('sha256').update(key).digest('hex').slice(0, 16)
}

export async function spill (dir: string, tag: string, events: PreparedEvent[]): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const file = join(dir, `audit-${tag}-${Date.now()}-${randomUUID()}.ndjson`)
  await writeFile(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n', { mode: 0o600 })
  return file
}

export async function readSpills (dir: string, tag: string): Promise<{ files: string[], events: PreparedEvent[] }> {
  let names: string[]
  try {
    names = (await readdir(dir)).filter((n) => n.startsWith(`audit-${tag}-`) && n.endsWith('.ndjson')).sort()
  } catch {
    return { files: [], events: [] }
  }
  const files = names.map((n) => join(dir, n))
  const events: PreparedEvent[] = []
  for (const file of files) {
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (line.trim() === '') continue
      const e = JSON.parse(line) as PreparedEvent & { at: string }
      events.push({ ...e, at: new Date(e.at) })
    }
  }
  return { files, events }
}

export async function removeSpills (files: string[]): Promise<void> {
  await Promise.all(files.map(async (f) => { await rm(f, { force: true }) }))
}
