import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs'

const MAX_TAIL_BYTES = 64 * 1024

/** Current size of a file, 0 when it does not exist. */
export function fileSize (file: string): number {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}

/** The last `lines` non-empty lines written to `file` after byte `fromOffset`. */
export function readLogTail (file: string, fromOffset = 0, lines = 15): string[] {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch {
    return []
  }
  try {
    const size = fstatSync(fd).size
    const start = Math.max(fromOffset, size - MAX_TAIL_BYTES)
    const buffer = Buffer.alloc(Math.max(0, size - start))
    readSync(fd, buffer, 0, buffer.length, start)
    return buffer.toString('utf8').split('\n').map((l) => l.trimEnd()).filter((l) => l !== '').slice(-lines)
  } finally {
    closeSync(fd)
  }
}

/** "<what>; last lines of <file>:" followed by the indented tail (or a note that the log is empty). */
export function describeFailure (what: string, file: string, fromOffset: number): string {
  const tail = readLogTail(file, fromOffset)
  if (tail.length === 0) return `${what} (its log ${file} is empty)`
  return `${what}; last lines of ${file}:\n${tail.map((l) => `    ${l}`).join('\n')}`
}
