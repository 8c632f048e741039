import type { Gateway } from './http.js'

/** Where the CLI writes and what it reads from the environment; `out` and `err` each print one line. */
export interface Io {
  out (s: string): void
  err (s: string): void
  env: Record<string, string | undefined>
  /** Standard input, for commands given `-` as a file (`connectors import --file -`). */
  stdin?: AsyncIterable<string | Buffer>
}

export interface OptionSpec {
  type: 'string' | 'boolean'
  /** Placeholder shown in help for a string option, e.g. `ID`. */
  arg?: string
  help: string
  required?: boolean
}

export type Options = Record<string, OptionSpec>
export type Values = Record<string, string | boolean | undefined>

export interface Context {
  values: Values
  io: Io
  /** The gateway client, connected on first use (commands that fail early never open a socket). */
  gateway (): Gateway
}

export interface Command {
  /** Words that name the command, e.g. `['clients', 'create']`. */
  path: string[]
  summary: string
  /** Extra lines for `--help`. */
  notes?: string[]
  options: Options
  run (ctx: Context): Promise<number>
}
