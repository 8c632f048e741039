import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isPortOpen } from '../../src/dev/free-port.js'
import { findBinaries, missingBinariesMessage } from '../../src/dev/local-services.js'
import { fromRoot } from '../../src/lib/repo-root.js'

const skip = missingBinariesMessage(findBinaries()) !== undefined ? 'redis-server or postgres not installed' : false

t.test('a Ctrl-C of the gateway with its embedded servers: a clean shutdown, no warning or error, the servers stopped after it', { skip }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lienthong-ctrl-c-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  await chmod(dir, 0o711) // PostgreSQL runs as `postgres` when we are root: it must be able to enter
  // In a process group of its own, as `npm start` is in a terminal's foreground group: the Ctrl-C goes to the group.
  const gateway = spawn(process.execPath, ['dist/src/server.js'], {
    cwd: fromRoot(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      DATA_DIR: join(dir, 'data'),
      SIMULATORS: 'off',
      CONNECTORS_FILE: 'test/fixtures/no-connectors.json',
      LOG_BUFFER_BYTES: '0',
      SECRET_HASH_COST: '1024'
    }
  })
  const exited = once(gateway, 'exit')
  t.teardown(() => { if (gateway.exitCode === null && gateway.signalCode === null) process.kill(-(gateway.pid as number), 'SIGKILL') })
  let out = ''
  let err = ''
  gateway.stdout.on('data', (d: Buffer) => { out += d.toString() })
  gateway.stderr.on('data', (d: Buffer) => { err += d.toString() })

  const deadline = Date.now() + 90_000
  let url: string | undefined
  while (url === undefined) {
    url = /Server listening at (http:\/\/[^"]+)"/.exec(out)?.[1]
    if (gateway.exitCode !== null || Date.now() > deadline) throw new Error(`the gateway did not start:\n${err}\n${out}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  // readiness asks both servers (so the gateway holds connections to them); a loaded machine may need a second try
  let ready = 0
  for (let i = 0; i < 40 && ready !== 200; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 250))
    ready = (await fetch(`${url}/health/ready`)).status
  }
  t.equal(ready, 200, 'PostgreSQL and Redis in use')
  const ports = [...err.matchAll(/(?:redis-server|postgres) listening on 127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]))
  t.equal(ports.length, 2, 'both embedded servers started')

  process.kill(-(gateway.pid as number), 'SIGINT')
  const [code, signal] = await exited
  t.same({ code, signal }, { code: 0, signal: null }, 'exits normally')
  const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number, msg: string })
  const from = lines.findIndex((l) => l.msg === 'shutting down')
  t.ok(from >= 0, 'the shutdown is logged')
  t.same(lines.slice(from).filter((l) => l.level >= 40), [], 'no warning or error while shutting down')
  t.same(lines.filter((l) => l.level >= 50), [], 'no error at all')
  for (const port of ports) t.notOk(await isPortOpen(port), `the server on ${port} is stopped`)
})
