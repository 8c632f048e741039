import type { FastifyBaseLogger } from 'fastify'
import type { Bindings, ChildLoggerOptions, LevelWithSilentOrString } from 'pino'

type Parent = FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean }

/**
 * `request.log`: the child of the server's logger with the request's id, made on first use. Fastify makes one pino
 * child per request (≈ 1.4 µs and an object with its own serialised bindings, issue 19); most requests write
 * nothing through it (the access log writes its own line, src/plugins/access-log.ts), so the child is made only
 * for a request that logs at a level the logger writes. What a line says is the same as with fastify's child.
 * Fastify checks a custom factory's result on every request (the seven method names): part of the saving goes
 * there, which is why six alternated rounds showed no difference measurable (docs/performance.md).
 */
export class LazyChildLogger implements FastifyBaseLogger {
  readonly #parent: Parent
  readonly #bindings: Bindings
  readonly #opts: ChildLoggerOptions
  #child: FastifyBaseLogger | undefined

  constructor (parent: FastifyBaseLogger, bindings: Bindings, opts: ChildLoggerOptions) {
    this.#parent = parent
    this.#bindings = bindings
    this.#opts = opts
  }

  get #log (): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#opts)
    return this.#child
  }

  /** True when a line at `level` would be written (a route's own level given to the child counts). */
  #writes (level: string): boolean {
    if (this.#child !== undefined || this.#opts.level !== undefined || this.#parent.isLevelEnabled === undefined) return true
    return this.#parent.isLevelEnabled(level)
  }

  get level (): LevelWithSilentOrString { return this.#child?.level ?? this.#opts.level ?? this.#parent.level }
  set level (level: LevelWithSilentOrString) { this.#log.level = level }

  // methods of the prototype (not arrow fields): nothing but the three fields above is allocated per request
  fatal (...args: unknown[]): void { if (this.#writes('fatal')) call(this.#log, 'fatal', args) }
  error (...args: unknown[]): void { if (this.#writes('error')) call(this.#log, 'error', args) }
  warn (...args: unknown[]): void { if (this.#writes('warn')) call(this.#log, 'warn', args) }
  info (...args: unknown[]): void { if (this.#writes('info')) call(this.#log, 'info', args) }
  debug (...args: unknown[]): void { if (this.#writes('debug')) call(this.#log, 'debug', args) }
  trace (...args: unknown[]): void { if (this.#writes('trace')) call(this.#log, 'trace', args) }
  silent (): void {}

  child (bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#log.child(bindings, options)
  }
}

type Method = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
const call = (log: FastifyBaseLogger, method: Method, args: unknown[]): void => {
  (log[method] as (...a: unknown[]) => void).apply(log, args)
}

/** Fastify's `childLoggerFactory`: a lazy child per request (see `LazyChildLogger`). */
export function lazyChildLoggerFactory (logger: FastifyBaseLogger, bindings: Bindings, opts: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyChildLogger(logger, bindings, opts)
}
