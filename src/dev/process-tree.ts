import { readdirSync, readFileSync } from 'node:fs'

/** Every process's parent, from /proc (Linux). */
function parents (): Map<number, number> {
  const out = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue // gone meanwhile
    }
    // "pid (comm) state ppid …": the command may hold spaces and parentheses, the last ')' ends it
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    out.set(Number(entry), ppid)
  }
  return out
}

/** The processes below `pid` (children, their children…), from /proc (Linux). */
export function descendants (pid: number): number[] {
  const byParent = new Map<number, number[]>()
  for (const [child, parent] of parents()) byParent.set(parent, [...(byParent.get(parent) ?? []), child])
  const out: number[] = []
  const todo = [...(byParent.get(pid) ?? [])]
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    out.push(next)
    todo.push(...(byParent.get(next) ?? []))
  }
  return out
}

/** The state letter of a process (`T`: stopped), undefined when it is gone. */
export function processState (pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]
  } catch {
    return undefined
  }
}

/** Signals a process (or, negative, a group); one gone meanwhile (ESRCH) is not an error. */
function signalProcess (pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
  }
}

/**
 * Sends `signal` to every process of a server: the group `leader` leads, then each of its descendants (PostgreSQL's
 * backends and background processes lead groups of their own: the postmaster calls setsid for each). The leader
 * first: stopped, it forks no new child while the others are signalled. Returns the processes signalled (none
 * when `leader` is undefined: the server is not running).
 */
export function signalTree (leader: number | undefined, signal: NodeJS.Signals): number[] {
  if (leader === undefined) return []
  signalProcess(-leader, signal)
  const below = descendants(leader)
  for (const pid of below) signalProcess(pid, signal)
  return [leader, ...below]
}
