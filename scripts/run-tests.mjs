#!/usr/bin/env node
// `npm test`: builds, starts ONE set of local services (Redis + PostgreSQL) for the whole run unless
// REDIS_URL and DATABASE_URL are set, runs tap with any extra arguments (npm test -- test/x.test.ts),
// then prints a closing line "N passed, N failed[, N skipped]" and exits with tap's exit code.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const args = process.argv.slice(2)

/** Runs a command with inherited stdio; resolves with its exit code (or 1 when it could not run). */
function runInherit (command, commandArgs) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit' })
    child.once('error', (err) => {
      console.error(`${command}: ${err.message}`)
      resolve(1)
    })
    child.once('exit', (code, signal) => resolve(code ?? (signal !== null ? 1 : 0)))
  })
}

/** tap's closing summary, e.g. "# { total: 12, pass: 11, fail: 1 }" (keys vary). */
function parseSummary (line) {
  const match = /^# \{ (.*) \}\s*$/.exec(line)
  if (match === null || !/\btotal: \d+/.test(match[1])) return undefined
  const counts = {}
  for (const [, key, value] of match[1].matchAll(/(\w+): (\d+)/g)) counts[key] = Number(value)
  return counts
}

let services
let tempDir
let tap
let cleaningUp

function cleanup () {
  cleaningUp ??= (async () => {
    if (services !== undefined) {
      await services.stop().catch((err) => console.error(`stopping the local services: ${err.message}`))
    }
    if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true }).catch(() => {})
  })()
  return cleaningUp
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    if (tap !== undefined && tap.exitCode === null) tap.kill(signal)
    cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  })
}

async function main () {
  const buildCode = await runInherit('npx', ['tsc', '-p', 'tsconfig.build.json'])
  if (buildCode !== 0) {
    console.error(`The build failed (tsc exit code ${buildCode}); no test was run.`)
    return buildCode
  }
  // the web console the gateway serves at /console/ (test/console/ drives it in Chromium)
  const consoleCode = await runInherit('npm', ['run', '--silent', 'build:console'])
  if (consoleCode !== 0) {
    console.error(`The console build failed (exit code ${consoleCode}); no test was run.`)
    return consoleCode
  }

  const env = { ...process.env, LIENTHONG_TEST_SERVICES: '1' }
  if (!process.env.REDIS_URL || !process.env.DATABASE_URL) {
    const { startLocalServices } = await import(pathToFileURL(join(root, 'dist/src/dev/local-services.js')).href)
    tempDir = await mkdtemp(join(tmpdir(), 'lienthong-test-'))
    try {
      services = await startLocalServices({ dir: tempDir, fast: true })
    } catch (err) {
      console.error(`Could not start the local test services: ${err.message}`)
      await cleanup()
      return 1
    }
    console.log(`# local services: ${services.redisUrl} ${services.databaseUrl}`)
    env.REDIS_URL = services.redisUrl
    env.DATABASE_URL = services.databaseUrl
  }

  // our summary is parsed from the TAP reporter's output; keep a reporter the user chose
  const reporterGiven = args.some((a) => a.startsWith('-R') || a.startsWith('--reporter'))
  const tapArgs = ['tap', ...(reporterGiven ? [] : ['--reporter=tap']), ...args]
  let summary
  let pending = ''
  const tapCode = await new Promise((resolve) => {
    tap = spawn('npx', tapArgs, { cwd: root, env, stdio: ['inherit', 'pipe', 'inherit'] })
    tap.stdout.on('data', (chunk) => {
      process.stdout.write(chunk)
      const lines = (pending + chunk.toString('utf8')).split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) summary = parseSummary(line) ?? summary
    })
    tap.once('error', (err) => {
      console.error(`tap: ${err.message}`)
      resolve(1)
    })
    tap.once('close', (code, signal) => {
      summary = parseSummary(pending) ?? summary
      resolve(code ?? (signal !== null ? 1 : 0))
    })
  })
  await cleanup()

  if (summary === undefined) {
    console.error(`Could not find tap's summary line (tap exit code ${tapCode}).`)
    console.log('0 passed, 1 failed')
    return tapCode !== 0 ? tapCode : 1
  }
  const skipped = (summary.skip ?? 0) + (summary.todo ?? 0)
  console.log(`${summary.pass ?? 0} passed, ${summary.fail ?? 0} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`)
  return tapCode
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    console.error(err)
    await cleanup()
    process.exit(1)
  }
)
