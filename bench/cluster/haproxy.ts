import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { isPortOpen } from '../../src/dev/free-port.js'

/**
 * HAProxy (Debian's package) in front of the gateways, as a province would run it: round robin, an active health
 * check of /health/ready every 500 ms (a draining gateway leaves after two 503s: 1 s, within DRAIN_DELAY_MS), a request whose connection
 * failed (or that got no answer at all) sent to another gateway.
 */
export async function startHaproxy (dir: string, port: number, backends: Array<{ name: string, url: string }>): Promise<{ url: string, stop: () => Promise<void> }> {
  const file = join(dir, 'haproxy.cfg')
  writeFileSync(file, [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout check 2s',
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure empty-response junk-response',
    'frontend gateway',
    `  bind 127.0.0.1:${port}`,
    '  default_backend gateways',
    'backend gateways',
    '  balance roundrobin',
    '  option httpchk GET /health/ready',
    '  default-server inter 500ms fall 2 rise 1',
    ...backends.map((b) => `  server ${b.name} ${new URL(b.url).host} check`),
    ''
  ].join('\n'))
  const child: ChildProcess = spawn('haproxy', ['-f', file, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  child.stderr?.on('data', (d: Buffer) => { err += d.toString() })
  const killWithUs = (): void => { child.kill('SIGKILL') }
  process.once('exit', killWithUs)
  for (let i = 0; !(await isPortOpen(port)); i++) {
    if (child.exitCode !== null || i > 50) throw new Error(`haproxy did not start: ${err}`)
    await sleep(100)
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async stop () {
      process.removeListener('exit', killWithUs)
      if (child.exitCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await exited
    }
  }
}
