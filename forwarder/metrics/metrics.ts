import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * How often the event-loop delay histogram (`nodejs_eventloop_lag_p99_seconds` and its siblings) samples. It is
 * a timer on the event loop: prom-client's 10 ms default woke an idle forwarder 100 times a second, most of its
 * idle CPU. Scrapes come every 15–60 s, so a sample a second still gives each scrape 15 or more.
 */
const EVENT_LOOP_SAMPLE_MS = 1000;

/**
 * The forwarder's Prometheus metrics, on a registry of its own (two forwarders in one test process must not
 * share counters). Names follow Prometheus conventions: `_total` counters, base units.
 */
export class ForwarderMetrics {
  readonly registry: Registry;
  readonly received: Counter<'api' | 'type'>;
  readonly forwarded: Counter;
  readonly skipped: Counter<'reason'>;
  readonly dropped: Counter<'reason' | 'type'>;
  readonly batches: Counter<'outcome'>;
  readonly retries: Counter<'cause'>;
  readonly bufferDepth: Gauge;
  readonly bufferBytes: Gauge;
  readonly watchRestarts: Counter<'resource' | 'reason'>;
  readonly expired: Counter<'resource'>;
  readonly malformedLines: Counter<'resource'>;
  readonly checkpointLag: Gauge;
  readonly checkpointWrites: Counter<'outcome'>;
  readonly leader: Gauge;
  /** Reports the buffer's fill when the gauges are read, so enqueueing costs nothing per event. */
  private fill: () => { events: number; bytes: number } = () => ({ events: 0, bytes: 0 });

  /** Where the `kube_wecom_forwarder_buffer_*` gauges read from (the current session's sender). */
  observeBuffer(fill: () => { events: number; bytes: number }): void {
    this.fill = fill;
  }

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [(this.registry = new Registry())];
    if (options.defaultMetrics)
      collectDefaultMetrics({
        register: this.registry,
        eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
      });
    this.received = new Counter({
      name: 'kube_wecom_forwarder_events_received_total',
      help: 'Watch and list events received, by Event API and watch type.',
      labelNames: ['api', 'type'],
      registers,
    });
    this.forwarded = new Counter({
      name: 'kube_wecom_forwarder_events_forwarded_total',
      help: 'Events acknowledged by SQS.',
      registers,
    });
    this.skipped = new Counter({
      name: 'kube_wecom_forwarder_events_skipped_total',
      help: 'Events deliberately not forwarded, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.dropped = new Counter({
      name: 'kube_wecom_forwarder_events_dropped_total',
      help: 'Events lost: buffer overflow, rejected by SQS, or too large for a message.',
      labelNames: ['reason', 'type'],
      registers,
    });
    this.batches = new Counter({
      name: 'kube_wecom_forwarder_sqs_batches_total',
      help: 'SendMessageBatch calls, by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.retries = new Counter({
      name: 'kube_wecom_forwarder_sqs_retries_total',
      help: 'Messages queued for another attempt, by cause.',
      labelNames: ['cause'],
      registers,
    });
    const fill = () => this.fill();
    this.bufferDepth = new Gauge({
      name: 'kube_wecom_forwarder_buffer_events',
      help: 'Events waiting for SQS (buffered or in flight).',
      registers,
      collect() {
        this.set(fill().events);
      },
    });
    this.bufferBytes = new Gauge({
      name: 'kube_wecom_forwarder_buffer_bytes',
      help: 'Bytes of the messages waiting for SQS (buffered or in flight).',
      registers,
      collect() {
        this.set(fill().bytes);
      },
    });
    this.watchRestarts = new Counter({
      name: 'kube_wecom_forwarder_watch_restarts_total',
      help: 'Watch reconnects, by resource and reason.',
      labelNames: ['resource', 'reason'],
      registers,
    });
    this.expired = new Counter({
      name: 'kube_wecom_forwarder_watch_expired_total',
      help: '410 Gone answers that forced a relist.',
      labelNames: ['resource'],
      registers,
    });
    this.malformedLines = new Counter({
      name: 'kube_wecom_forwarder_watch_malformed_lines_total',
      help: 'Watch lines that were not usable watch events (skipped, or the watch reconnected).',
      labelNames: ['resource'],
      registers,
    });
    this.checkpointLag = new Gauge({
      name: 'kube_wecom_forwarder_checkpoint_lag_seconds',
      help: 'Age of the position the last written checkpoint records.',
      registers,
    });
    this.checkpointWrites = new Counter({
      name: 'kube_wecom_forwarder_checkpoint_writes_total',
      help: 'Checkpoint ConfigMap writes, by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.leader = new Gauge({
      name: 'kube_wecom_forwarder_leader',
      help: '1 while this replica holds the lease and forwards.',
      registers,
    });
  }
}
