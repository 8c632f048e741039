import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { findBinaries } from '../../src/dev/find-binaries.js'
import { freePort, isPortOpen } from '../../src/dev/free-port.js'
import { startRedis } from '../../src/dev/redis-server.js'
import { build } from '../helper.js'

// Redis through Sentinel (REDIS_SENTINELS): a real redis-server as the master and a real sentinel watching it.
t.test('the gateway reaches the master the sentinel names, with a hash-tagged queue prefix', async (t) => {
  const binary = findBinaries().redisServer as string
  const dir = await mkdtemp(join(tmpdir(), 'lienthong-sentinel-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const masterPort = await freePort()
  const master = await startRedis({ binary, dir: join(dir, 'master'), logFile: join(dir, 'master.log'), port: masterPort, timeoutMs: 20_000, log: () => {} })
  t.teardown(async () => { await master.stop('SIGTERM', 5000) })
  const sentinelPort = await freePort()
  const conf = join(dir, 'sentinel.conf')
  await writeFile(conf, `port ${sentinelPort}\nbind 127.0.0.1\nsentinel monitor lienthong-test 127.0.0.1 ${masterPort} 1\n`)
  const sentinel = spawn(binary, [conf, '--sentinel'], { stdio: 'ignore' })
  t.teardown(() => { sentinel.kill('SIGKILL') })
  for (let i = 0; !(await isPortOpen(sentinelPort)); i++) {
    if (i > 100) throw new Error('the sentinel did not start')
    await sleep(100)
  }

  const prefix = `{t-${Date.now().toString(36)}}`
  const app = await build(t, { env: { REDIS_URL: '', REDIS_SENTINELS: `127.0.0.1:${sentinelPort}`, REDIS_SENTINEL_NAME: 'lienthong-test', QUEUE_PREFIX: prefix } })
  t.equal((await app.inject({ url: '/health/ready' })).json().checks.redis, 'up')
  await app.redis.client.set(`${prefix}:probe`, 'through-sentinel')
  const direct = new Redis({ port: masterPort, host: '127.0.0.1', lazyConnect: true })
  t.teardown(() => { direct.disconnect() })
  await direct.connect()
  t.equal(await direct.get(`${prefix}:probe`), 'through-sentinel', 'written on the master the sentinel names')
  await app.queues.deliveries.add('probe', { deliveryId: 'x' } as never, { jobId: 'probe-1' })
  const keys = await direct.keys('*')
  t.ok(keys.length > 1 && keys.every((k) => k.startsWith(`${prefix}:`)), 'every key of the queue under the hash tag (one Redis Cluster slot)')
  // the gateway closes while its master and sentinel still answer (the teardowns stop them, in the order added)
  await app.close()
})

t.test('REDIS_URL and REDIS_SENTINELS together, or a sentinel that is not host:port, are refused', async (t) => {
  const { loadConfig } = await import('../../src/config.js')
  t.throws(() => loadConfig({ REDIS_URL: 'redis://x', REDIS_SENTINELS: 'a:1' }), /exclusive/)
  t.throws(() => loadConfig({ REDIS_URL: '', REDIS_SENTINELS: 'a' }), /not host:port/)
  t.same(loadConfig({ REDIS_URL: '', REDIS_SENTINELS: 'a:1, [::1]:26379' }).redisSentinel?.sentinels, [{ host: 'a', port: 1 }, { host: '::1', port: 26379 }])
})
