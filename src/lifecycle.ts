import { loadConfig, productionProblems, type Config } from './config.js'

/** A line on stderr for supervisors and people: start-up progress and why a start failed. */
export function sayer (tag: string): (msg: string) => void {
  return (msg) => { process.stderr.write(`[${tag}] ${msg}\n`) }
}

/** A start refused before anything ran: the reason is all there is to say (no stack). */
export class StartRefused extends Error {}

/**
 * The process's config, checked for what its role needs (production settings). Throws StartRefused with every
 * problem named, so the entry reports them and exits non-zero.
 */
export function startupConfig (role: 'gateway' | 'worker'): Config {
  let config: Config
  try {
    config = loadConfig()
  } catch (err) {
    throw new StartRefused(`configuration: ${(err as Error).message}`)
  }
  const problems = productionProblems(config, role)
  if (problems.length > 0) throw new StartRefused(`NODE_ENV=production, but: ${problems.join('; ')}`)
  return config
}

/** The reason of a failed start in one line (a dependency's error message, or the refused setting). */
export function failureReason (err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const cause = err.cause instanceof Error && !err.message.includes(err.cause.message) ? ` (${err.cause.message})` : ''
  const agg = err instanceof AggregateError ? ` (${err.errors.map((e: Error) => e.message).join('; ')})` : ''
  return `${err.message !== '' ? err.message : err.name}${cause}${agg}`
}
