import { parseArgs } from 'node:util'
import { CONNECTION_OPTIONS, HELP_OPTION, parse } from './args.js'
import { CliError, UsageError } from './errors.js'
import { connect, type Gateway } from './http.js'
import { commandHelp, groupHelp, mainHelp } from './help.js'
import { resolveSettings } from './settings.js'
import type { Command, Io, Options } from './types.js'
import token from './commands/token.js'
import clients from './commands/clients.js'
import connectors from './commands/connectors.js'
import audit from './commands/audit.js'
import subscriptions from './commands/subscriptions.js'

export type { Io } from './types.js'

export const COMMANDS: Command[] = [...token, ...clients, ...connectors, ...audit, ...subscriptions]

/** Every option of every command: argv is parsed once, then checked against the chosen command. */
const ALL_OPTIONS: Options = Object.assign({}, CONNECTION_OPTIONS, HELP_OPTION, ...COMMANDS.map((c) => c.options))

interface Located { command?: Command, group?: string, usage: string }

/** The command (or group) named by the leading words, and the help that goes with it. */
function locate (words: string[]): Located {
  const command = COMMANDS.find((c) => c.path.every((w, i) => words[i] === w))
  if (command !== undefined) return { command, usage: commandHelp(command) }
  const members = COMMANDS.filter((c) => c.path.length > 1 && c.path[0] === words[0])
  if (members.length > 0) return { group: words[0], usage: groupHelp(words[0], members) }
  return { usage: mainHelp(COMMANDS) }
}

/** Words of a command line that failed strict parsing, to show the right usage. */
function wordsOf (argv: string[]): string[] {
  const lenient = Object.fromEntries(Object.entries(ALL_OPTIONS).map(([n, o]) => [n, { type: o.type }]))
  return parseArgs({ args: argv, options: lenient, allowPositionals: true, strict: false }).positionals
}

function report (err: unknown, io: Io, usage: string): number {
  if (err instanceof UsageError) {
    io.err(`lienthong: ${err.message}`)
    io.err('')
    io.err(err.usage ?? usage)
    return err.exitCode
  }
  if (err instanceof CliError) {
    io.err(`lienthong: ${err.message}`)
    for (const line of err.details) io.err(line)
    return err.exitCode
  }
  io.err(`lienthong: unexpected error: ${err instanceof Error ? err.message : String(err)}`)
  return 1
}

/** Runs one command line; resolves with the exit code. Output goes through `io`, never to the console. */
export async function run (argv: string[], io: Io): Promise<number> {
  let usage = mainHelp(COMMANDS)
  const conn: { gateway?: Gateway } = {}
  try {
    let parsed
    try {
      parsed = parse(argv, ALL_OPTIONS)
    } catch (err) {
      usage = locate(wordsOf(argv)).usage
      throw err
    }
    const { positionals, values, used } = parsed
    const help = values.help === true || positionals[0] === 'help'
    const words = positionals[0] === 'help' ? positionals.slice(1) : positionals
    const found = locate(words)
    usage = found.usage
    if (help) {
      io.out(usage)
      return 0
    }
    const { command } = found
    if (command === undefined) {
      if (words.length === 0) throw new UsageError('no command given')
      if (found.group !== undefined && words.length === 1) throw new UsageError(`${found.group}: which command?`)
      throw new UsageError(`unknown command: ${words.slice(0, found.group !== undefined ? 2 : 1).join(' ')}`)
    }
    if (words.length > command.path.length) throw new UsageError(`unexpected argument: ${words[command.path.length]}`)
    const allowed: Options = { ...CONNECTION_OPTIONS, ...HELP_OPTION, ...command.options }
    const stray = used.find((name) => !Object.hasOwn(allowed, name))
    if (stray !== undefined) throw new UsageError(`${command.path.join(' ')} takes no option --${stray}`)
    const missing = Object.entries(command.options)
      .filter(([name, o]) => o.required === true && (typeof values[name] !== 'string' || values[name] === ''))
      .map(([name]) => `--${name}`)
    if (missing.length > 0) throw new UsageError(`missing ${missing.join(', ')}`)
    const settings = resolveSettings(values, io.env)
    return await command.run({ values, io, gateway: () => (conn.gateway ??= connect(settings)) })
  } catch (err) {
    return report(err, io, usage)
  } finally {
    await conn.gateway?.close()
  }
}
