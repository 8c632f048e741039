import { readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

interface ProcInfo {
  comm: string
  ppid: number
  cwd?: string
}

export function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Name, parent and working directory of a process from /proc (Linux); undefined when unavailable. */
function procInfo (pid: number): ProcInfo | undefined {
  try {
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // "pid (comm) state ppid ...": comm may contain spaces, so read after the last ')'
    const ppid = Number.parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '', 10)
    let cwd: string | undefined
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`)
    } catch {}
    return { comm, ppid, cwd }
  } catch {
    return undefined
  }
}

function readPid (pidFile: string): number | undefined {
  let text: string
  try {
    text = readFileSync(pidFile, 'utf8')
  } catch {
    return undefined
  }
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10)
  return Number.isInteger(pid) && pid > 0 ? pid : Number.NaN
}

async function waitForDeath (pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true
    await sleep(100)
  }
  return !isAlive(pid)
}

export interface LeftoverCheck {
  /** e.g. 'PostgreSQL' */
  name: string
  pidFile: string
  /** The process name a live owner of the pid file has (/proc/PID/comm), e.g. 'postgres'. */
  comm: string
  /** The server's working directory (both servers chdir into their data directory). */
  dir: string
  /** Signal for a clean shutdown of an orphan. */
  signal: NodeJS.Signals
  log: (msg: string) => void
}

/**
 * Deals with a pid file left behind by a previous run whose parent was killed:
 * - pid not running: left in place, the server cleans it up itself (PostgreSQL also uses it to check
 *   that no old backend still holds the shared memory);
 * - pid running but not our server (pid reused): the stale file is removed;
 * - our server, orphaned (parent PID 1): shut down cleanly (SIGKILL after 20 s);
 * - our server with a live parent: another instance uses this directory, a clear Error is thrown.
 */
export async function clearLeftover (check: LeftoverCheck): Promise<void> {
  const pid = readPid(check.pidFile)
  if (pid === undefined) return
  if (Number.isNaN(pid)) {
    check.log(`${check.name}: removing unreadable ${check.pidFile}`)
    rmSync(check.pidFile, { force: true })
    return
  }
  if (!isAlive(pid)) {
    check.log(`${check.name}: stale ${check.pidFile} (PID ${pid} is not running), the server will clean it up`)
    return
  }
  const info = procInfo(pid)
  if (info === undefined) return // no /proc: let the server decide
  let dir = check.dir
  try {
    dir = realpathSync(check.dir)
  } catch {}
  if (info.comm !== check.comm || (info.cwd !== undefined && info.cwd !== dir)) {
    check.log(`${check.name}: removing stale ${check.pidFile} (PID ${pid} is now another process: ${info.comm})`)
    rmSync(check.pidFile, { force: true })
    return
  }
  if (info.ppid === 1) {
    check.log(`${check.name}: stopping orphaned server PID ${pid} left over from a previous run`)
    process.kill(pid, check.signal)
    if (await waitForDeath(pid, 20_000)) return
    process.kill(pid, 'SIGKILL')
    if (await waitForDeath(pid, 5_000)) return
    throw new Error(`${check.name}: the orphaned server PID ${pid} on ${check.dir} does not exit`)
  }
  throw new Error(
    `${check.name} is already running on ${check.dir} (PID ${pid}, parent PID ${info.ppid}): another ` +
      `instance uses this directory. Stop it (kill -${check.signal.replace(/^SIG/, '')} ${pid}) or use ` +
      'another data directory.'
  )
}
