import t from 'tap'
import { pino, type Logger } from 'pino'
import { LazyChildLogger } from '../../src/lib/lazy-child-logger.js'

/** A real pino logger writing JSON lines into `lines`, counting the children it makes (pino's `onChild`). */
function logger (level: string): { log: Logger, lines: Array<Record<string, unknown>>, children: () => number } {
  const lines: Array<Record<string, unknown>> = []
  let children = 0
  const log = pino({ level, onChild: () => { children++ } }, { write: (l: string) => { lines.push(JSON.parse(l)) } })
  return { log, lines, children: () => children }
}

t.test('a request that logs nothing the logger writes makes no child', async (t) => {
  const { log, lines, children } = logger('info')
  const lazy = new LazyChildLogger(log, { reqId: 'r-1' }, {})
  lazy.debug({ a: 1 }, 'not written at info')
  lazy.trace('nor this')
  t.equal(children(), 0, 'no child made')
  t.equal(lines.length, 0)
  t.equal(lazy.level, 'info', 'the level is the parent\'s')
})

t.test('a line written through it is the line of fastify\'s child: its bindings, its message, its fields', async (t) => {
  const { log, lines, children } = logger('info')
  const lazy = new LazyChildLogger(log, { reqId: 'r-2' }, {})
  lazy.warn({ code: 'UPSTREAM_ERROR' }, 'upstream %s', 'down')
  lazy.info('plain')
  lazy.error(new Error('boom'))
  t.equal(children(), 1, 'one child, made once')
  t.match(lines, [
    { level: 40, reqId: 'r-2', code: 'UPSTREAM_ERROR', msg: 'upstream down' },
    { level: 30, reqId: 'r-2', msg: 'plain' },
    { level: 50, reqId: 'r-2', err: { message: 'boom' } }
  ])
  const grandchild = lazy.child({ connector: 'population' })
  grandchild.info('called')
  t.match(lines[3], { reqId: 'r-2', connector: 'population', msg: 'called' })
})

t.test('a route\'s own level is the child\'s, and a level set later applies', async (t) => {
  const { log, lines } = logger('info')
  const lazy = new LazyChildLogger(log, { reqId: 'r-3' }, { level: 'debug' })
  t.equal(lazy.level, 'debug')
  lazy.debug('route at debug')
  t.match(lines, [{ level: 20, reqId: 'r-3', msg: 'route at debug' }])
  const quiet = new LazyChildLogger(log, { reqId: 'r-4' }, {})
  quiet.level = 'error'
  quiet.warn('dropped')
  quiet.error('kept')
  t.match(lines.slice(1), [{ level: 50, reqId: 'r-4', msg: 'kept' }])
  t.equal(lines.length, 2)
})
