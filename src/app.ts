import Fastify, { type FastifyInstance } from 'fastify'
import formbody from '@fastify/formbody'
import { randomUUID } from 'node:crypto'
import type { Config } from './config.js'
import { addIdentifierFormats } from './catalog/formats.js'
import configPlugin from './plugins/config.js'
import problem, { sendProblem, rawProblem } from './plugins/problem.js'
import routeRules from './plugins/route-rules.js'
import schemas from './plugins/schemas.js'
import requestContext from './plugins/request-context.js'
import db from './plugins/db.js'
import redis from './plugins/redis.js'
import auth from './plugins/auth.js'
import connectors, { type ConnectorsOptions } from './plugins/connectors.js'
import docs from './plugins/docs.js'
import adminUnits from './plugins/admin-units.js'
import limits from './plugins/limits.js'
import protection from './plugins/protection.js'
import queues from './plugins/queues.js'
import drain from './plugins/drain.js'
import procedures from './plugins/procedures.js'
import procedureRoutes from './routes/procedures/index.js'
import events from './plugins/events.js'
import eventRoutes from './routes/events/index.js'
import dossierRoutes from './routes/dossiers/index.js'
import { logDestination, loggerOptions } from './logging.js'
import { AccessLog } from './plugins/access-log.js'
import healthRoutes from './routes/health/index.js'
import authRoutes from './routes/auth/index.js'
import catalogRoutes from './routes/catalog/index.js'
import lookupRoutes from './routes/lookups/index.js'
import adminRoutes from './routes/admin/index.js'
import adminUnitRoutes from './routes/admin-units/index.js'
import audit from './plugins/audit.js'
import telemetry from './plugins/telemetry.js'
import auditRoutes from './routes/audit/index.js'
import consolePlugin from './plugins/console.js'
import type { AuditSink } from './audit/types.js'
import type { DestinationStream } from 'pino'
import { lazyChildLoggerFactory } from './lib/lazy-child-logger.js'

export interface BuildOptions {
  /** Connector instances to seed on first start (tests); default: the declarative file of the config. */
  connectors?: ConnectorsOptions['seed']
  connectorTypes?: ConnectorsOptions['types']
  /** Serve the HTTP API (default true); false for a worker-only process. */
  http?: boolean
  /** Run the delivery workers and the reconciler in this process (default: config WORKERS). */
  workers?: boolean
  /** Replaces the PostgreSQL audit writer as `app.audit` (benchmarks of the gateway without its trail). */
  auditSink?: AuditSink
  /** Where the logs go (tests capture them); default stdout. */
  logStream?: DestinationStream
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Builds the gateway; never listens (server.ts does, tests use inject or listen on port 0). */
export async function buildApp (config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { ...loggerOptions(config.logLevel) as object, stream: opts.logStream ?? logDestination(config.logBufferBytes) },
    bodyLimit: config.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    requestIdHeader: false,
    // request.log made on first use: most requests log nothing through it (src/lib/lazy-child-logger.ts)
    childLoggerFactory: lazyChildLoggerFactory,
    // one line per request (src/plugins/access-log.ts)
    logController: new AccessLog(),
    // src/plugins/problem.ts answers problem+json 503 while closing
    return503OnClosing: false,
    // Errors fastify meets before routing (bad URL encoding, an over-long parameter) still answer problem+json.
    frameworkErrors: (err, request, reply) => { sendProblem(request, reply, err) },
    // Malformed HTTP on the wire (a bare CR in a header, headers too large): a problem+json answer, then close.
    clientErrorHandler: (err, socket) => {
      if (socket.writable) socket.end(rawProblem((err as { code?: string }).code === 'HPE_HEADER_OVERFLOW' ? 431 : 400))
    },
    connectionTimeout: 30_000,
    keepAliveTimeout: 10_000,
    requestTimeout: 60_000,
    routerOptions: { maxParamLength: 200 },
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false },
      plugins: [addIdentifierFormats]
    }
  })
  try {
    await registerAll(app, config, opts)
  } catch (err) {
    // What registered before the failure (pools, Redis connections, the audit thread) must not keep the process up.
    await app.close().catch(() => {})
    throw err
  }
  return app
}

async function registerAll (app: FastifyInstance, config: Config, opts: BuildOptions): Promise<void> {
  await app.register(configPlugin, { config })
  await app.register(drain)
  await app.register(problem)
  await app.register(routeRules)
  await app.register(schemas)
  // before every route, so that the OpenAPI document sees them all (/metrics of the telemetry plugin included)
  if (opts.http !== false) await app.register(docs)
  await app.register(requestContext)
  await app.register(protection)
  await app.register(formbody, { bodyLimit: 16_384 })
  await app.register(db)
  await app.register(redis)
  await app.register(audit, { sink: opts.auditSink })
  await app.register(telemetry)
  await app.register(auth)
  await app.register(limits)
  await app.register(adminUnits)
  await app.register(connectors, { seed: opts.connectors, types: opts.connectorTypes })
  await app.register(queues, { workers: opts.workers })
  await app.register(procedures, { workers: opts.workers })
  await app.register(events, { workers: opts.workers, http: opts.http })
  if (opts.http !== false) {
    await app.register(consolePlugin)
    await app.register(healthRoutes)
    await app.register(authRoutes)
    await app.register(catalogRoutes)
    await app.register(lookupRoutes)
    await app.register(dossierRoutes)
    await app.register(adminRoutes)
    await app.register(adminUnitRoutes)
    await app.register(auditRoutes)
    await app.register(procedureRoutes)
    await app.register(eventRoutes)
  }
}
