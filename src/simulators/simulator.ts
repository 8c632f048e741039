import Fastify, { type FastifyInstance } from 'fastify'
import { Faults, faultSettingsSchema, type FaultSettings } from './faults.js'

/** What every simulator offers, whatever system it imitates. */
export interface Simulator {
  /** e.g. `citizen`, `land-01`, `dvcqg`. */
  readonly name: string
  readonly seed: number
  readonly app: FastifyInstance
  readonly faults: Faults
  /** The base URL once listening, e.g. `http://127.0.0.1:40123`. */
  readonly url: string | undefined
  /** Starts listening (port 0 → a free port) and resolves to the base URL. */
  listen (port?: number, host?: string): Promise<string>
  close (): Promise<void>
}

export interface SimulatorOptions {
  /** Seed of the generated data (default `DEFAULT_SEED`). */
  seed?: number
  /** Fastify logger; off by default. */
  logger?: boolean
}

/**
 * A Fastify server with the shared control API (`GET /_sim/health`, `PUT|GET|DELETE /_sim/faults`) and the
 * fault-injection hook in front of every other route; `routes` adds the imitated system's API.
 */
export function createSimulator (
  name: string, seed: number, routes: (app: FastifyInstance) => void, opts: SimulatorOptions = {}
): Simulator {
  const app = Fastify({ logger: opts.logger ?? false, forceCloseConnections: true, bodyLimit: 10 * 1024 * 1024 })
  const faults = new Faults(seed)
  let url: string | undefined

  app.addHook('onRequest', faults.hook)
  app.get('/_sim/health', async () => ({ ok: true, simulator: name, seed }))
  app.get('/_sim/faults', async () => faults.current)
  app.put('/_sim/faults', { schema: { body: faultSettingsSchema } }, async (req) => {
    faults.set(req.body as FaultSettings)
    return faults.current
  })
  app.delete('/_sim/faults', async () => {
    faults.reset()
    return faults.current
  })
  routes(app)

  return {
    name,
    seed,
    app,
    faults,
    get url () { return url },
    async listen (port = 0, host = '127.0.0.1') {
      url = await app.listen({ port, host })
      return url
    },
    async close () {
      await app.close()
    }
  }
}
