import { execFileSync } from 'node:child_process'
import { chmodSync, chownSync, lstatSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, isAbsolute } from 'node:path'

/** The unprivileged account a child server runs as (when we are root). */
export interface RunAsUser {
  name: string
  uid: number
  gid: number
}

function idOf (name: string, flag: '-u' | '-g'): number {
  const out = execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  const value = Number.parseInt(out.trim(), 10)
  if (!Number.isInteger(value)) throw new Error(`unexpected output of id ${flag} ${name}: ${out}`)
  return value
}

/**
 * PostgreSQL refuses to run as root: when we are root, returns the `postgres` system user to run it as;
 * undefined when we are not root (the servers then run as the current user).
 */
export function postgresRunAs (): RunAsUser | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined
  try {
    return { name: 'postgres', uid: idOf('postgres', '-u'), gid: idOf('postgres', '-g') }
  } catch {
    throw new Error(
      'PostgreSQL refuses to run as root and there is no `postgres` system user to run it as. ' +
        'Install the postgresql package (apt-get install -y postgresql creates the user) or create one ' +
        '(useradd --system --user-group postgres), or run as a non-root user.'
    )
  }
}

/** chown -R, not following symbolic links. */
export function chownRecursive (path: string, user: RunAsUser): void {
  const st = lstatSync(path)
  if (st.isSymbolicLink()) return
  if (st.uid !== user.uid || st.gid !== user.gid) chownSync(path, user.uid, user.gid)
  if (st.isDirectory()) {
    for (const entry of readdirSync(path)) chownRecursive(join(path, entry), user)
  }
}

/** Whether `user` (primary group only, as our spawned children run) may traverse directory `dir`. */
function canTraverse (dir: string, user: RunAsUser): boolean {
  const st = statSync(dir)
  if (st.uid === user.uid) return (st.mode & 0o100) !== 0
  if (st.gid === user.gid) return (st.mode & 0o010) !== 0
  return (st.mode & 0o001) !== 0
}

function isInside (child: string, parent: string): boolean {
  const rel = relative(parent, child)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/**
 * Makes sure `user` can reach `target`: directories from `base` (included) down to target's parent get
 * the traverse bit (o+x, never read) when they lack it; a blocking directory above `base` is an error,
 * as we do not change permissions outside the directory we were given.
 */
export function ensureReachable (target: string, base: string, user: RunAsUser): void {
  const absBase = resolve(base)
  const chain: string[] = []
  for (let dir = dirname(resolve(target)); ; dir = dirname(dir)) {
    chain.unshift(dir)
    if (dir === dirname(dir)) break
  }
  for (const dir of chain) {
    if (canTraverse(dir, user)) continue
    if (isInside(dir, absBase)) {
      chmodSync(dir, (statSync(dir).mode & 0o7777) | 0o001)
    } else {
      throw new Error(
        `PostgreSQL runs as the ${user.name} user, which cannot enter ${dir} (on the way to ${target}). ` +
          `Use a data directory that ${user.name} can reach, or allow traversal: chmod o+x ${dir}`
      )
    }
  }
}
