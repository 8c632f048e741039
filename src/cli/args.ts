import { parseArgs } from 'node:util'
import { UsageError } from './errors.js'
import type { Options, Values } from './types.js'

/** Options every command takes: where the gateway is and who the CLI is. */
export const CONNECTION_OPTIONS: Options = {
  url: { type: 'string', arg: 'URL', help: 'gateway base URL (env LIENTHONG_URL, default http://127.0.0.1:8080)' },
  'client-id': { type: 'string', arg: 'ID', help: 'client id (env LIENTHONG_CLIENT_ID, else LIENTHONG_ADMIN_ID)' },
  'client-secret': {
    type: 'string',
    arg: 'SECRET',
    help: 'client secret (env LIENTHONG_CLIENT_SECRET, else LIENTHONG_ADMIN_SECRET; prefer the variable, flags show in ps)'
  }
}

export const HELP_OPTION: Options = { help: { type: 'boolean', help: 'show this help' } }

export interface Parsed {
  positionals: string[]
  values: Values
  /** Names of the options that appear on the command line. */
  used: string[]
}

/** Turns node's parseArgs messages into short ones. */
function friendly (err: { code?: string, message: string }): string {
  const name = /'(-[^' ]+)/.exec(err.message)?.[1] ?? ''
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${name}`
  if (err.message.includes('does not take an argument')) return `option ${name} takes no value`
  if (err.message.includes('argument missing')) return `option ${name} needs a value`
  if (err.message.includes('ambiguous')) return `option ${name} needs a value (write ${name}=VALUE if the value starts with -)`
  return err.message.split('\n')[0]
}

/** Parses argv against the given options (strict); `-h` is `--help`. */
export function parse (argv: string[], options: Options): Parsed {
  const config = Object.fromEntries(Object.entries(options).map(([name, o]) =>
    [name, name === 'help' ? { type: o.type, short: 'h' } : { type: o.type }]))
  try {
    const { values, positionals, tokens } = parseArgs({ args: argv, options: config, allowPositionals: true, strict: true, tokens: true })
    const used = tokens.flatMap((t) => t.kind === 'option' ? [t.name] : [])
    return { positionals, values: values as Values, used }
  } catch (err) {
    const e = err as { code?: string, message: string }
    if (typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS_')) throw new UsageError(friendly(e))
    throw err
  }
}

/** A comma-separated list flag: `a, b,c` → ['a', 'b', 'c']. */
export function list (value: string | boolean | undefined): string[] {
  if (typeof value !== 'string') return []
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '')
}

/** The string value of a required option (presence is checked before a command runs). */
export function str (values: Values, name: string): string {
  const v = values[name]
  return typeof v === 'string' ? v : ''
}
