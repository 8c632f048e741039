import pino from 'pino'
import type { FastifyBaseLogger } from 'fastify'
import { defineConnectorType, type CallContext, type ConnectorType } from '../../src/connectors/contract.js'
import { ConnectorInstance } from '../../src/connectors/runtime/instance.js'

export const silentLog = pino({ level: 'silent' }) as unknown as FastifyBaseLogger

/**
 * A connector type of one `citizen.lookup` call to `origin`, whose lookup is `lookup`, and an instance of it
 * (closed at teardown): for tests of the connector runtime around a real HTTP upstream.
 */
export function probeInstance (t: Tap.Test, origin: string, lookup: (ctx: CallContext) => Promise<unknown>,
  config: Record<string, unknown> = {}): ConnectorInstance {
  const type = defineConnectorType({
    type: 'probe-http',
    version: '1.0.0',
    description: 'test',
    services: ['citizen.lookup'],
    configSchema: {},
    secretFields: [],
    origin: () => origin,
    create: () => ({ async lookup (_service: string, _request: unknown, ctx: CallContext) { return await lookup(ctx) } })
  } as never) as unknown as ConnectorType
  const inst = new ConnectorInstance({ id: 'probe', type: 'probe-http', services: ['citizen.lookup'], provinces: null, config, enabled: true, version: 1 }, type, silentLog)
  t.teardown(async () => { await inst.close(0) })
  return inst
}
