import fp from 'fastify-plugin'
import { Queue, Worker } from 'bullmq'
import { OutboundAllowlist } from '../connectors/allowlist.js'
import { ChangeFeed } from '../connectors/change-feed.js'
import { auditDelivery } from '../deliveries/audit.js'
import { startPeriodic } from '../lib/periodic.js'
import { EventCatalogue } from '../events/catalogue.js'
import { EVENTS_CHANNEL, EventIngest, type PublishOptions, type PublishResult, type SourceEvent } from '../events/ingest.js'
import { LANE_QUEUE, wakeLaneAt, wakeLanes, type LaneJob } from '../events/lanes/jobs.js'
import { laneProcessor } from '../events/lanes/processor.js'
import { WebhookSender } from '../events/lanes/sender.js'
import { sweepOnce, type SweepResult } from '../events/lanes/sweeper.js'
import { LaneTargets } from '../events/lanes/targets.js'
import { EventWaiters } from '../events/pull.js'
import { SigningSecrets } from '../events/signing-secrets.js'
import { adminUnitsSource } from '../events/sources/admin-units.js'
import { connectorSources } from '../events/sources/connector-sources.js'
import { Pullers, type PullSource } from '../events/sources/puller.js'
import type { SubscriptionRulesDeps } from '../events/subscription-rules.js'
import { SubscriptionStore } from '../events/subscriptions.js'
import { EventRouter } from '../events/units.js'

export interface Events {
  catalogue: EventCatalogue
  subscriptions: SubscriptionStore
  signing: SigningSecrets
  rules: SubscriptionRulesDeps
  targets: LaneTargets
  lanes: Queue<LaneJob>
  /** The lane worker of this process, when workers run here. */
  laneWorker: Worker<LaneJob> | undefined
  /** The pullers of this process, when workers run here. */
  pullers: Pullers | undefined
  waiters: EventWaiters
  /**
   * Records events of a source and delivers them to the matching subscriptions: the entry point of every producer
   * (pullers, the push endpoint, and in-process producers such as the interlinked procedures' steps).
   */
  publish (events: SourceEvent[], opts: PublishOptions): Promise<PublishResult>
  /** Checks one event against its type (the errors; none when valid), without recording it. */
  ingestCheck (event: SourceEvent): Array<{ path: string, message: string }>
  /** Wakes a subscription's lane now, or at `due`. */
  wake (subscriptionId: string, due?: Date): Promise<void>
  /** Runs the lanes' reconciler once now (tests, admin). */
  sweep (): Promise<SweepResult>
  /** The sources pulled here: the connectors' change feeds and the code tables. */
  sources (): PullSource[]
}

declare module 'fastify' {
  interface FastifyInstance { events: Events }
}

export interface EventsOptions {
  /** Run the lanes, the pullers and the sweeper in this process (default: config WORKERS). */
  workers?: boolean
  /** Serve long-polls here: listen for new events (default true). */
  http?: boolean
}

/**
 * Events from national systems to provincial systems (docs/events.md): the catalogue of event types, ingestion
 * (routing by today's units, fan-out to subscriptions), and — where workers run — the pullers of the sources,
 * the webhook lanes (BullMQ queue `event-lanes`, QUEUE_PREFIX) and their sweeper. Closed on app close: pullers,
 * sweeper, worker (it finishes the batches in hand), queue, HTTP agent, notification feed (LISTEN on a direct
 * session, app.dbDirect: a transaction-mode pooler breaks LISTEN).
 */
export default fp<EventsOptions>(async function events (app, opts) {
  const cfg = app.config.events
  const catalogue = new EventCatalogue()
  const allowlist = new OutboundAllowlist(app.config.outboundAllowlist)
  const subscriptions = new SubscriptionStore(app.db)
  const signing = new SigningSecrets(app.connectors.secrets)
  const targets = new LaneTargets(subscriptions, signing, 1000)
  const ingest = new EventIngest({ db: app.db, catalogue, router: new EventRouter(app.adminUnits), keys: app.auditTrail.keys })
  const waiters = new EventWaiters()
  const prefix = app.config.queuePrefix

  const lanes = new Queue<LaneJob>(LANE_QUEUE, {
    connection: app.redis.create('event-lanes-producer', { enableOfflineQueue: false, maxRetriesPerRequest: 1 }),
    prefix
  })
  lanes.on('error', (err) => app.log.warn({ err: err.message }, 'event lane queue error'))
  await lanes.waitUntilReady()

  const wake = async (subscriptionId: string, due?: Date): Promise<void> => {
    if (due === undefined) await wakeLanes(lanes, [subscriptionId])
    else await wakeLaneAt(lanes, subscriptionId, due)
  }

  async function publish (list: SourceEvent[], options: PublishOptions): Promise<PublishResult> {
    const result = await ingest.publish(list, options)
    for (const r of result.recorded) {
      auditDelivery(app, {
        kind: 'event.received',
        outcome: 'ok',
        service: r.type,
        connector: options.source,
        ...(r.caseId !== undefined ? { caseId: r.caseId } : {}),
        subjectHashes: r.subjectHashes,
        details: { eventId: r.id, source: options.source }
      })
    }
    for (const r of result.rejected) {
      auditDelivery(app, {
        kind: 'event.rejected',
        outcome: 'invalid',
        service: r.type,
        connector: options.source,
        details: { source: options.source, index: r.index, errors: r.errors.map((e) => e.path) }
      })
    }
    // A lost wake-up is the sweeper's to repair: the deliveries are recorded.
    await wakeLanes(lanes, result.lanes).catch((err: Error) => app.log.warn({ err: err.message }, 'event lanes not woken; the sweeper will'))
    return result
  }

  // one code-table source per process: its list of changes is computed once, on its first pull
  const unitsSource = adminUnitsSource(app.adminUnits, cfg.adminUnitsSince)
  const sources = (): PullSource[] => [...connectorSources(app.connectors.list(), app.log), unitsSource]

  let worker: Worker<LaneJob> | undefined
  let pullers: Pullers | undefined
  let sender: WebhookSender | undefined
  let stopSweeper: (() => Promise<void>) | undefined
  const sweep = async (): Promise<SweepResult> => {
    const result = await sweepOnce(app.db, cfg.sweepGraceMs, cfg.pushToleranceS * 2)
    await wakeLanes(lanes, result.woken)
    return result
  }

  if (opts.workers ?? app.config.workers) {
    sender = new WebhookSender({ connections: cfg.connections, timeoutMs: cfg.deliveryTimeoutMs })
    const processor = laneProcessor({
      app,
      targets,
      sender,
      allowlist,
      wake,
      settings: { batch: cfg.batch, leaseMs: cfg.deliveryTimeoutMs + 5000, sliceMs: 10_000 }
    })
    worker = new Worker<LaneJob>(LANE_QUEUE, processor, {
      connection: app.redis.forWorker('event-lanes-worker'),
      prefix,
      concurrency: cfg.lanes,
      lockDuration: app.config.delivery.lockMs,
      stalledInterval: app.config.delivery.lockMs,
      maxStalledCount: 3,
      autorun: false
    })
    worker.on('error', (err) => app.log.warn({ err: err.message }, 'event lane worker error'))
    worker.on('failed', (job, err) => { if (job !== undefined) app.log.warn({ jobId: job.id, err: err.message }, 'event lane job error') })
    pullers = new Pullers({
      db: app.db,
      log: app.log,
      sources,
      publish,
      settings: { intervalMs: cfg.pullIntervalMs, limit: cfg.pullLimit, leaseMs: cfg.sourceLeaseMs, maxPages: 20 }
    })
    const started = worker
    const pulling = pullers
    app.addHook('onReady', async () => {
      started.run().catch((err: Error) => app.log.error({ err: err.message }, 'event lane worker stopped'))
      pulling.start()
      stopSweeper = startPeriodic(app.log, 'event lane sweep', sweep, cfg.sweepIntervalMs)
    })
  }

  let feed: ChangeFeed | undefined
  if (opts.http !== false) {
    feed = new ChangeFeed(app.dbDirect, app.log, 2000, () => waiters.notify(), EVENTS_CHANNEL)
    await feed.start()
  }

  app.decorate('events', {
    catalogue,
    subscriptions,
    signing,
    targets,
    rules: {
      allowlist,
      catalogue,
      units: app.adminUnits,
      retry: cfg.retry,
      isSystemClient: async (id: string) => (await app.clients.get(id))?.roles.includes('system') === true
    },
    lanes,
    laneWorker: worker,
    pullers,
    waiters,
    publish,
    ingestCheck: (event: SourceEvent) => ingest.check(event).errors,
    wake,
    sweep,
    sources
  })

  app.addHook('onClose', async () => {
    await pullers?.stop()
    await stopSweeper?.()
    await worker?.close()
    await lanes.close()
    await sender?.close()
    await feed?.close()
    waiters.notify()
  })
}, { name: 'events', dependencies: ['config', 'db', 'redis', 'connectors', 'admin-units', 'audit'] })
