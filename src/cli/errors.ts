/** A failure to report on stderr: a one-line message, optional detail lines, and the exit code. */
export class CliError extends Error {
  readonly exitCode: number
  readonly details: string[]

  constructor (message: string, opts: { exitCode?: number, details?: string[] } = {}) {
    super(message)
    this.exitCode = opts.exitCode ?? 1
    this.details = opts.details ?? []
  }
}

/** Bad command line: exit 2, followed by the usage of the command (or of the CLI). */
export class UsageError extends CliError {
  usage: string | undefined

  constructor (message: string, usage?: string) {
    super(message, { exitCode: 2 })
    this.usage = usage
  }
}
