import t from 'tap'
import { spawnSync } from 'node:child_process'
import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fromRoot } from '../../src/lib/repo-root.js'

t.test('every locked package supports this Node.js: npm reports no EBADENGINE for the lock file', async (t) => {
  // npm's own engine check over the lock file, offline and without touching node_modules (a copy, a dry run)
  const dir = t.testdir()
  for (const f of ['package.json', 'package-lock.json']) await copyFile(fromRoot(f), join(dir, f))
  const res = spawnSync('npm', ['install', '--dry-run', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8', timeout: 120_000 })
  t.equal(res.status, 0, res.stderr)
  const unsupported = [...`${res.stdout}${res.stderr}`.matchAll(/EBADENGINE\s+package: '([^']+)'/g)].map((m) => m[1])
  t.same(unsupported, [], `packages wanting another Node.js than ${process.version}`)
})
