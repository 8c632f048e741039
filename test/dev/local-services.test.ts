import t from 'tap'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { spawn } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { isPortOpen } from '../../src/dev/free-port.js'
import { pingRedis } from '../../src/dev/redis-server.js'
import {
  findBinaries,
  missingBinariesMessage,
  startLocalServices,
  type LocalServices
} from '../../src/dev/local-services.js'

async function selectOne (databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const res = await client.query<{ one: number }>('SELECT 1 AS one')
    return res.rows[0]?.one ?? 0
  } finally {
    await client.end()
  }
}

function portOf (url: string): number {
  return Number(new URL(url).port)
}

/** What the returned URLs answer: the URL shapes, Redis PING and PostgreSQL SELECT 1. */
async function probe (services: LocalServices): Promise<Record<string, unknown>> {
  return {
    redisUrl: /^redis:\/\/127\.0\.0\.1:\d+$/.test(services.redisUrl),
    databaseUrl: /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/lienthong$/.test(services.databaseUrl),
    ping: await pingRedis(portOf(services.redisUrl)),
    selectOne: await selectOne(services.databaseUrl)
  }
}
const ANSWERING = { redisUrl: true, databaseUrl: true, ping: true, selectOne: 1 }

/** Whether each port still accepts connections. */
async function openPorts (services: LocalServices): Promise<Record<string, boolean>> {
  return {
    redis: await isPortOpen(portOf(services.redisUrl)),
    postgres: await isPortOpen(portOf(services.databaseUrl))
  }
}
const CLOSED = { redis: false, postgres: false }

const binaries = findBinaries()
const skip = missingBinariesMessage(binaries) !== undefined ? 'redis-server or postgres not installed' : false

t.test('starts, stops, and restarts on an initialised directory', { skip }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lienthong-dev-test-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))

  const first = await startLocalServices({ dir, fast: true })
  t.teardown(() => first.stop())
  t.same(await probe(first), ANSWERING, 'both servers answer')
  await first.stop()
  await first.stop() // idempotent
  t.same(await openPorts(first), CLOSED, 'ports closed after stop')

  const second = await startLocalServices({ dir, fast: true })
  t.teardown(() => second.stop())
  t.same(await probe(second), ANSWERING, 'both servers answer again')
  await second.stop()
  t.same(await openPorts(second), CLOSED, 'ports closed after the second stop')
})

t.test('starts on given ports and copes with a stale postmaster.pid', { skip }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lienthong-dev-test-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const first = await startLocalServices({ dir, fast: true })
  t.teardown(() => first.stop())
  await first.stop()

  // a pid file from a killed run, pointing at a live process that is not postgres
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' })
  t.teardown(() => { sleeper.kill() })
  await writeFile(join(dir, 'pg', 'postmaster.pid'), `${String(sleeper.pid)}\n${join(dir, 'pg')}\n`)
  const messages: string[] = []
  const again = await startLocalServices({
    dir,
    fast: true,
    redisPort: first.redisPort,
    pgPort: first.pgPort,
    log: (m) => messages.push(m)
  })
  t.teardown(() => again.stop())
  t.equal(again.redisUrl, first.redisUrl)
  t.equal(again.databaseUrl, first.databaseUrl)
  t.ok(messages.some((m) => m.includes('stale')), 'the stale pid file is reported')
  t.same(await probe(again), ANSWERING, 'both servers answer')
  await again.stop()
})

t.test('a start failure names the binary and quotes its log', { skip }, async (t) => {
  const dirA = await mkdtemp(join(tmpdir(), 'lienthong-dev-test-'))
  const dirB = await mkdtemp(join(tmpdir(), 'lienthong-dev-test-'))
  t.teardown(() => rm(dirA, { recursive: true, force: true }))
  t.teardown(() => rm(dirB, { recursive: true, force: true }))
  const blocker = await startLocalServices({ dir: dirA, fast: true })
  t.teardown(() => blocker.stop())
  await t.rejects(
    startLocalServices({ dir: dirB, fast: true, redisPort: blocker.redisPort }),
    /redis-server did not start[^]*last lines of .*redis\.log:[^]*Address already in use/
  )
  await t.rejects(
    startLocalServices({ dir: dirB, fast: true, pgPort: blocker.pgPort }),
    /postgres did not start[^]*last lines of .*postgres\.log:[^]*Address already in use/
  )
  t.equal(await selectOne(blocker.databaseUrl), 1, 'the first cluster is untouched')
  await blocker.stop()
})

t.test('missing binaries message', async (t) => {
  t.equal(missingBinariesMessage({ redisServer: '/r', initdb: '/i', postgres: '/p' }), undefined)
  const all = missingBinariesMessage({})
  t.match(all, /redis-server, initdb, postgres/)
  t.match(all, /apt-get install -y redis-server postgresql/)
  const pgOnly = missingBinariesMessage({ redisServer: '/usr/bin/redis-server' })
  t.match(pgOnly, /apt-get install -y postgresql$/m)
  t.notMatch(pgOnly, /redis-server postgresql/)
  const redisOnly = missingBinariesMessage({ initdb: '/i', postgres: '/p' })
  t.match(redisOnly, /apt-get install -y redis-server$/m)
})

t.test('PostgreSQL stops smart first: a session still open when the stop begins ends by itself, never terminated', { skip }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lienthong-dev-test-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const services = await startLocalServices({ dir, fast: true })
  t.teardown(() => services.stop())
  // what a pool's end() leaves behind: a session whose Terminate has not reached the server yet
  const session = new pg.Client({ connectionString: services.databaseUrl })
  const errors: string[] = []
  session.on('error', (err) => { errors.push(err.message) })
  await session.connect()

  const stopped = services.stop()
  // the stop has reached the server once it takes no new session
  let refused = ''
  for (const deadline = Date.now() + 10_000; refused === '' && Date.now() < deadline;) {
    refused = await selectOne(services.databaseUrl).then(() => '', (err: Error) => err.message)
  }
  t.match(refused, /shutting down|ECONNREFUSED/, `new sessions refused: ${refused}`)
  const answer = await session.query<{ one: number }>('SELECT 1 AS one').then((r) => r.rows[0]?.one, (err: Error) => err.message)
  t.equal(answer, 1, 'the open session still answers')
  await session.end().catch(() => {})
  await stopped
  t.same(errors, [], 'and was never terminated')
  t.same(await openPorts(services), CLOSED, 'both servers stopped')
})
