import { CONNECTION_OPTIONS } from './args.js'
import { columns } from './output.js'
import type { Command, Options } from './types.js'

const flag = (name: string, o: Options[string]): string => `--${name}${o.arg !== undefined ? ` ${o.arg}` : ''}`

const optionLines = (options: Options, extra: string[][] = []): string[] =>
  columns([...Object.entries(options).map(([name, o]) => [`  ${flag(name, o)}`, o.help + (o.required === true ? ' (required)' : '')]), ...extra])

const CONNECTION = ['Connection options (every command):', ...optionLines(CONNECTION_OPTIONS, [['  -h, --help', 'show help']])]

export function synopsis (c: Command): string {
  const opts = Object.entries(c.options).map(([name, o]) => o.required === true ? flag(name, o) : `[${flag(name, o)}]`)
  return ['Usage: lienthong', ...c.path, ...opts, '[connection options]'].join(' ')
}

export function commandHelp (c: Command): string {
  return [
    synopsis(c), '',
    `${c.summary[0].toUpperCase()}${c.summary.slice(1)}.`,
    ...(c.notes ?? []), '',
    'Options:', ...optionLines(c.options), '',
    ...CONNECTION
  ].join('\n')
}

const commandLines = (commands: Command[]): string[] => columns(commands.map((c) => [`  ${c.path.join(' ')}`, c.summary]))

export function groupHelp (group: string, commands: Command[]): string {
  return [
    `Usage: lienthong ${group} <command> [options]`, '',
    'Commands:', ...commandLines(commands), '',
    `Run \`lienthong ${group} <command> --help\` for the options of a command.`
  ].join('\n')
}

export function mainHelp (commands: Command[]): string {
  return [
    'lienthong: operate a Liên thông Gateway over its HTTP API', '',
    'Usage: lienthong <command> [options]', '',
    'Commands:', ...commandLines(commands), '',
    ...CONNECTION, '',
    'The CLI gets an access token with the client credentials, then calls the admin API with it.',
    'Run `lienthong <command> --help` for the options of a command.',
    'Exit codes: 0 done, 1 the gateway refused or could not be reached, 2 bad command line.'
  ].join('\n')
}
