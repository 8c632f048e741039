#!/usr/bin/env node
import { run } from './main.js'
import { processEnv } from './settings.js'

// A closed pipe (`lienthong clients list | head -1`) is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err
})

process.exitCode = await run(process.argv.slice(2), {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
  env: processEnv(),
  stdin: process.stdin
})
