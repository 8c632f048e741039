import { mkdir, open, readdir, readFile, stat, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { parseCheckpoint, type Checkpoint } from './checkpoint.js'

export interface WitnessOptions {
  dir: string
  /** The trail (one per database: spillTag of its URL), so that gateways of several databases may share a directory. */
  tag: string
  /** This gateway instance (host and process by default). */
  instance: string
  /** A new file is started past this size, and every UTC day. */
  maxBytes: number
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64)
const day = (d: Date): string => d.toISOString().slice(0, 10).replace(/-/g, '')
const prefix = (tag: string): string => `checkpoints-${tag}-`

/**
 * A witness of the checkpoints outside PostgreSQL: every checkpoint this instance makes or sees is appended to a
 * local file (one JSON line each, fsynced before the call resolves), `checkpoints-<trail>-<instance>-<day>-<k>.ndjson`
 * under AUDIT_WITNESS_DIR. Files are only ever appended to; a new one starts each UTC day and past `maxBytes`.
 * Collect them off the host (log shipping, backups) for a witness the host's administrator cannot rewrite either.
 */
export class WitnessFile {
  readonly #o: WitnessOptions
  #file: FileHandle | undefined
  #name = ''
  #size = 0
  #day = ''
  #part = 0
  #writing: Promise<void> = Promise.resolve()

  constructor (opts: WitnessOptions) { this.#o = opts }

  /** Appends checkpoints in order; resolves once they are on disk. Calls are serialised. */
  async append (checkpoints: Checkpoint[], now = new Date()): Promise<void> {
    if (checkpoints.length === 0) return
    const run = this.#writing.then(async () => { await this.#write(checkpoints, now) })
    this.#writing = run.catch(() => {})
    await run
  }

  async #write (checkpoints: Checkpoint[], now: Date): Promise<void> {
    const text = checkpoints.map((c) => JSON.stringify(c) + '\n').join('')
    if (this.#file === undefined || this.#day !== day(now) || this.#size + text.length > this.#o.maxBytes) await this.#rotate(now)
    const file = this.#file as FileHandle
    await file.appendFile(text)
    await file.sync()
    this.#size += Buffer.byteLength(text)
  }

  async #rotate (now: Date): Promise<void> {
    await this.#file?.close()
    this.#file = undefined
    await mkdir(this.#o.dir, { recursive: true, mode: 0o755 })
    if (this.#day !== day(now)) { this.#day = day(now); this.#part = 0 }
    this.#part++
    this.#name = join(this.#o.dir, `${prefix(this.#o.tag)}${safe(this.#o.instance)}-${this.#day}-${this.#part}.ndjson`)
    this.#file = await open(this.#name, 'a', 0o644)
    this.#size = (await this.#file.stat()).size
  }

  get path (): string { return this.#name }

  async close (): Promise<void> {
    await this.#writing
    await this.#file?.close()
    this.#file = undefined
  }
}

/** Witness files of a trail in a directory, newest last (by modification time). */
async function witnessFiles (dir: string, tag: string): Promise<string[]> {
  let names: string[]
  try {
    names = (await readdir(dir)).filter((n) => n.startsWith(prefix(tag)) && n.endsWith('.ndjson'))
  } catch {
    return []
  }
  const withTime = await Promise.all(names.map(async (n) => ({ file: join(dir, n), t: (await stat(join(dir, n))).mtimeMs })))
  return withTime.sort((a, b) => a.t - b.t).map((f) => f.file)
}

/** Checkpoints read from NDJSON text (witness files, an auditor's copy); lines that are not one are counted. */
export function parseCheckpointLines (text: string): { checkpoints: Checkpoint[], unreadable: number } {
  const checkpoints: Checkpoint[] = []
  let unreadable = 0
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    let c: Checkpoint | undefined
    try { c = parseCheckpoint(JSON.parse(line)) } catch {}
    if (c === undefined) unreadable++
    else checkpoints.push(c)
  }
  return { checkpoints, unreadable }
}

/**
 * Every checkpoint of a trail in the witness files of a directory (all instances), one per `n` — or, when
 * `newest` is given, in that many of the newest files only (the checkpointer's start).
 */
export async function readWitness (dir: string, tag: string, newest?: number): Promise<{ checkpoints: Checkpoint[], unreadable: number, files: number }> {
  let files = await witnessFiles(dir, tag)
  if (newest !== undefined) files = files.slice(-newest)
  const byN = new Map<string, Checkpoint>()
  let unreadable = 0
  for (const file of files) {
    const read = parseCheckpointLines(await readFile(file, 'utf8'))
    unreadable += read.unreadable
    for (const c of read.checkpoints) if (!byN.has(c.n)) byN.set(c.n, c)
  }
  const checkpoints = [...byN.values()].sort((a, b) => Number(BigInt(a.n) - BigInt(b.n)))
  return { checkpoints, unreadable, files: files.length }
}
