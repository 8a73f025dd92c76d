// Longer than our ~250-line guide on purpose: a term's order of events (checkpoint read before the watch,
// enrichment before sending, the settled position before the checkpoint write, and the reverse on stop) is the
// point of this file, and it reads best in one place. Each step's logic lives in its module (watch/, events/,
// namespaces/, queue/, checkpoint/); what stays here is the wiring, that order, and the memory of recent
// deliveries that the checkpoint carries for relist de-duplication.
import { backoffCeiling } from './backoff/index.ts';
import type { BackoffOptions } from './backoff/index.ts';
import { ConfigMapCheckpointStore, Watermark } from './checkpoint/index.ts';
import type { Checkpoint, Ticket } from './checkpoint/index.ts';
import { EventSelector } from './events/index.ts';
import type { Decision, Occurrence } from './events/index.ts';
import type { KubeApi, WatchedResource, WireObject } from './kube/index.ts';
import { sleep, systemTimer } from './ports.ts';
import type { Clock, Logger } from './ports.ts';
import type { ForwarderMetrics } from './metrics/index.ts';
import { NamespaceCache } from './namespaces/index.ts';
import type { NamespaceEntry } from './namespaces/index.ts';
import { SqsSender, envelopeBody, sqsSafeJson } from './queue/index.ts';
import type { QueueClient } from './queue/index.ts';
import { ListWatch } from './watch/index.ts';

/** How many recently delivered occurrences a checkpoint keeps for relist dedup (bounds the ConfigMap size). */
const DELIVERED_MEMORY = 2000;
/** Occurrences last seen this long before the checkpoint time cannot reappear in a relist above the cutoff. */
const DELIVERED_WINDOW_MS = 5 * 60_000;

const CHECKPOINT_CUTOFF_SLACK_MS = 30_000;
/** The longest wait between attempts to read the checkpoint, which the forwarder needs before it can start. */
const CHECKPOINT_RETRY_MAX_MS = 30_000;
/** How far ahead of this clock a checkpoint's time may be (another replica's clock) before it counts as garbage. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** What one forwarding term needs; the {@link Forwarder} builds it from the configuration. */
export interface SessionOptions {
  kube: KubeApi;
  queue: QueueClient;
  clock: Clock;
  logger: Logger;
  metrics: ForwarderMetrics;
  clusterName: string;
  api: 'core' | 'events';
  types: string[];
  namespaces: string[];
  maxEventAgeMs: number;
  checkpoint?: { namespace: string; name: string; intervalMs: number };
  bufferMaxEvents: number;
  bufferMaxBytes: number;
  lingerMs: number;
  sendConcurrency: number;
  watchTimeoutSeconds: number;
  watchBackoff: BackoffOptions;
  sqsBackoff: BackoffOptions;
}

/**
 * One term of forwarding, from taking the lease to giving it up: load the checkpoint, watch namespaces and
 * events, turn events into envelopes, send them, and checkpoint the settled position.
 */
export class Session {
  private readonly sender: SqsSender;
  private readonly namespaceCache: NamespaceCache;
  private readonly store: ConfigMapCheckpointStore | undefined;
  private readonly delivered = new Map<string, Occurrence>();
  private readonly lookups = new Set<Promise<void>>();
  private watch: ListWatch | undefined;
  private selector: EventSelector | undefined;
  private watermark = new Watermark();
  private savedPosition: string | undefined;
  private readonly clusterJson: string;
  /** `observedAt` of the last event: events arrive many per millisecond under load, so the string is reused. */
  private observed = { at: NaN, iso: '' };
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: SessionOptions) {
    const { kube, logger, metrics } = options;
    this.clusterJson = sqsSafeJson(JSON.stringify(options.clusterName));
    this.sender = new SqsSender({
      queue: options.queue,
      metrics,
      logger,
      maxEvents: options.bufferMaxEvents,
      maxBytes: options.bufferMaxBytes,
      lingerMs: options.lingerMs,
      concurrency: options.sendConcurrency,
      retryBackoff: options.sqsBackoff,
    });
    this.namespaceCache = new NamespaceCache({
      kube,
      logger,
      backoff: options.watchBackoff,
      watchTimeoutSeconds: options.watchTimeoutSeconds,
      onRestart: (reason) => this.countRestart('namespaces', reason),
      onMalformedLine: () => metrics.malformedLines.inc({ resource: 'namespaces' }),
    });
    if (options.checkpoint)
      this.store = new ConfigMapCheckpointStore(kube, options.checkpoint.namespace, options.checkpoint.name);
  }

  /** True when the event watch is open and SQS answered its last call. */
  get ready(): boolean {
    return !this.stopped && (this.watch?.established ?? false) && this.sender.sqsReachable === true;
  }

  /** Where the session would resume from now: everything up to here is settled. */
  get position(): Checkpoint | undefined {
    const p = this.watermark.position;
    return (
      p && {
        resourceVersion: p.resourceVersion,
        time: p.observedAt,
        delivered: this.recentDeliveries(p.observedAt),
      }
    );
  }

  async start(): Promise<void> {
    const { clock, logger, metrics } = this.options;
    const checkpoint = this.withUsableTime(await this.loadCheckpoint());
    if (this.stopped) return;
    const resource: WatchedResource = this.options.api === 'events' ? 'events.events.k8s.io' : 'events.v1';
    this.selector = new EventSelector({
      types: this.options.types,
      namespaces: this.options.namespaces,
      // Event timestamps have whole seconds and come from other machines' clocks, so an expired checkpoint's
      // cutoff is widened; what this lets through twice is caught by the delivered occurrences it carries.
      listCutoff: checkpoint
        ? checkpoint.time - CHECKPOINT_CUTOFF_SLACK_MS
        : clock.now() - this.options.maxEventAgeMs,
      delivered: checkpoint?.delivered ?? [],
    });
    // Carry the previous term's deliveries forward, so the next checkpoint still dedups them after an expiry.
    for (const o of checkpoint?.delivered ?? []) this.remember(o);
    if (checkpoint) {
      this.watermark = new Watermark({
        resourceVersion: checkpoint.resourceVersion,
        observedAt: checkpoint.time,
      });
      this.savedPosition = checkpoint.resourceVersion;
    }
    logger.info(
      { resource, resumeFrom: checkpoint?.resourceVersion ?? null },
      checkpoint ? 'resuming from checkpoint' : 'no checkpoint; listing recent events',
    );
    await Promise.all([this.namespaceCache.start(), this.sender.probe()]);
    if (this.stopped) return;
    const api = resource === 'events.v1' ? 'v1' : 'events.k8s.io/v1';
    // Label lookups hash their labels on every call; the children are resolved once instead.
    const received = {
      ADDED: metrics.received.labels({ api, type: 'ADDED' }),
      MODIFIED: metrics.received.labels({ api, type: 'MODIFIED' }),
      DELETED: metrics.received.labels({ api, type: 'DELETED' }),
    };
    this.watch = new ListWatch({
      kube: this.options.kube,
      resource,
      logger,
      backoff: this.options.watchBackoff,
      watchTimeoutSeconds: this.options.watchTimeoutSeconds,
      onRestart: (reason) => this.countRestart('events', reason),
      onMalformedLine: () => metrics.malformedLines.inc({ resource: 'events' }),
      ...(checkpoint ? { resumeFrom: checkpoint.resourceVersion } : {}),
      handler: {
        onList: (items, rv) => {
          metrics.received.inc({ api, type: 'LIST' }, items.length);
          const decisions = this.selector!.fromList(items);
          decisions.forEach((d, i) => this.route(d, items[i]!, undefined, rv));
          this.watermark.pass(rv, clock.now());
        },
        onEvent: (type, object, raw) => {
          received[type].inc();
          const rv = object.metadata?.resourceVersion ?? '';
          this.route(this.selector!.fromWatch(type, object), object, raw, rv);
        },
        onBookmark: (rv) => this.watermark.pass(rv, clock.now()),
      },
    });
    await this.watch.start();
    if (this.store) {
      this.timer = setInterval(() => void this.saveCheckpoint(), this.options.checkpoint!.intervalMs);
      this.timer.unref();
    }
  }

  /**
   * Ends the term. Graceful (SIGTERM): stop watching, send what is buffered within `graceMs`, write the final
   * checkpoint. Not graceful (lease lost): drop the buffer and write nothing, since the new leader now owns the
   * checkpoint and resends from it.
   */
  async stop(graceful: boolean, graceMs = 0): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all([this.watch?.stop(), this.namespaceCache.stop()]);
    if (graceful) {
      await Promise.all(this.lookups);
      const unsent = await this.sender.flush(graceMs);
      if (unsent > 0)
        this.options.logger.warn(
          { unsent },
          'grace period over with events unsent; the next leader resends them from the checkpoint',
        );
      await this.saveCheckpoint();
    }
    this.sender.discard();
  }

  /** `raw` is the event's JSON text from the watch line; listed items have none and are serialised here. */
  private route(decision: Decision, event: WireObject, raw: string | undefined, rv: string): void {
    const now = this.options.clock.now();
    if (!decision.forward) {
      this.options.metrics.skipped.inc({ reason: decision.reason });
      this.watermark.pass(rv, now);
      return;
    }
    const ticket = this.watermark.open(rv, now);
    if (now !== this.observed.at) this.observed = { at: now, iso: new Date(now).toISOString() };
    const observedAt = this.observed.iso;
    const eventJson = raw === undefined ? JSON.stringify(event) : raw;
    const warning = decision.type === 'Warning';
    const settle = this.settler(ticket, decision.occurrence);
    const send = (namespace: NamespaceEntry | undefined) => {
      this.sender.enqueue({
        body: envelopeBody({
          clusterJson: this.clusterJson,
          watchType: decision.watchType,
          observedAt,
          eventJson,
          ...(namespace ? { namespaceJson: namespace.json } : {}),
        }),
        warning,
        settle,
      });
    };
    const cached = this.namespaceCache.cached(decision.namespace);
    if (cached || !decision.namespace) {
      send(cached);
      return;
    }
    const lookup = this.namespaceCache.lookup(decision.namespace).then(send);
    this.lookups.add(lookup);
    void lookup.finally(() => this.lookups.delete(lookup));
  }

  /**
   * The callback a queued message settles with. It is built apart from `route` so that it captures only the
   * ticket and the occurrence: a closure there would keep the parsed event and its watch line alive for as long
   * as the message waits in the buffer.
   */
  private settler(ticket: Ticket, occurrence: Occurrence): (outcome: 'sent' | 'dropped') => void {
    return (outcome) => {
      ticket.settle();
      if (outcome === 'sent') this.remember(occurrence);
    };
  }

  private remember(o: Occurrence): void {
    this.delivered.delete(o.uid);
    this.delivered.set(o.uid, o);
    if (this.delivered.size > DELIVERED_MEMORY) this.delivered.delete(this.delivered.keys().next().value!);
  }

  private recentDeliveries(since: number): Occurrence[] {
    return [...this.delivered.values()].filter((o) => o.lastSeen >= since - DELIVERED_WINDOW_MS);
  }

  private async loadCheckpoint(): Promise<Checkpoint | undefined> {
    if (!this.store) return undefined;
    // Without the checkpoint we might replay or skip events, so keep trying rather than guess.
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        return await this.store.load();
      } catch (err) {
        this.options.logger.warn({ err: String(err), attempt }, 'cannot read the checkpoint; retrying');
        const ceiling = { initialMs: this.options.watchBackoff.initialMs, maxMs: CHECKPOINT_RETRY_MAX_MS };
        await sleep(systemTimer, backoffCeiling(ceiling, attempt));
      }
    }
    return undefined;
  }

  /**
   * A checkpoint whose `time` is no timestamp, or lies ahead of the clock beyond any skew (a hand-edited
   * ConfigMap), would make a relist forward every event in the cluster (time 0) or none (the future). It is
   * reported, and the time becomes what a start without a checkpoint uses: `maxEventAge` ago.
   */
  private withUsableTime(checkpoint: Checkpoint | undefined): Checkpoint | undefined {
    const now = this.options.clock.now();
    if (!checkpoint || (Number.isFinite(checkpoint.time) && checkpoint.time <= now + MAX_CLOCK_SKEW_MS)) {
      return checkpoint;
    }
    this.options.logger.error(
      { resourceVersion: checkpoint.resourceVersion, time: checkpoint.time },
      "the checkpoint's time is not a past timestamp (was the ConfigMap edited?); using maxEventAge ago instead",
    );
    return { ...checkpoint, time: now - this.options.maxEventAgeMs };
  }

  private async saveCheckpoint(): Promise<void> {
    const position = this.position;
    if (!this.store || !position) return;
    this.options.metrics.checkpointLag.set(Math.max(0, (this.options.clock.now() - position.time) / 1000));
    if (position.resourceVersion === this.savedPosition) return;
    try {
      await this.store.save(position);
      this.savedPosition = position.resourceVersion;
      this.options.metrics.checkpointWrites.inc({ outcome: 'ok' });
    } catch (err) {
      this.options.metrics.checkpointWrites.inc({ outcome: 'error' });
      this.options.logger.warn({ err: String(err) }, 'checkpoint write failed; will retry');
    }
  }

  private countRestart(resource: string, reason: string): void {
    this.options.metrics.watchRestarts.inc({ resource, reason });
    if (reason === 'expired') this.options.metrics.expired.inc({ resource });
  }
}
