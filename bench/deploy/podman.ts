import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** `podman <args>`; resolves with its stdout, rejects with its stderr in the message. */
export async function podman (args: string[], timeoutMs = 120_000): Promise<string> {
  try {
    const { stdout } = await run('podman', args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 })
    return stdout.trim()
  } catch (err) {
    const e = err as { stderr?: string, message: string }
    throw new Error(`podman ${args.slice(0, 2).join(' ')} failed: ${(e.stderr ?? e.message).trim().split('\n').slice(-5).join(' | ')}`)
  }
}

/** A container's logs (stdout and stderr), for failure messages. */
export async function logsOf (name: string, lines = 30): Promise<string> {
  return await new Promise((resolve) => {
    let out = ''
    const p = spawn('podman', ['logs', '--tail', String(lines), name], { stdio: ['ignore', 'pipe', 'pipe'] })
    p.stdout.on('data', (d: Buffer) => { out += d.toString() })
    p.stderr.on('data', (d: Buffer) => { out += d.toString() })
    p.on('close', () => resolve(out))
    p.on('error', () => resolve(out))
  })
}

/** State of a container: running, exit code, health. */
export async function stateOf (name: string): Promise<{ running: boolean, exitCode: number, health: string }> {
  const out = await podman(['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}} {{.State.Health.Status}}', name])
  const [running, exitCode, health] = out.split(' ')
  return { running: running === 'true', exitCode: Number(exitCode), health: health ?? '' }
}
