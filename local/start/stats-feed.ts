import type { BatchMetrics } from '../../functions/lambda/index.ts';
import type { BatchStats } from '../../functions/pipeline/index.ts';
import { ERRCODE_RATE_LIMITED } from '../../functions/channels/wecom/index.ts';
import type { LogFields, Logger } from '../../functions/ports.ts';
import type { ForwarderMetrics } from '../../forwarder/index.ts';
import { StatsBoard } from '../preview-page/index.ts';
import type { LiveLog } from './live-log.ts';

/** What the forwarder has done so far, read from its Prometheus counters. */
export interface ForwarderFigures {
  /** Events from watch streams (ADDED/MODIFIED/DELETED), not from lists. */
  watched: number;
  /** Events from lists and watches. */
  received: number;
  /** Events SQS acknowledged. */
  forwarded: number;
  /** Events waiting for SQS. */
  buffered: number;
}

/** Reads the forwarder's counters (prom-client reads are async). */
export async function forwarderFigures(metrics: ForwarderMetrics): Promise<ForwarderFigures> {
  const [received, forwarded, buffered] = await Promise.all([
    metrics.received.get(),
    metrics.forwarded.get(),
    metrics.bufferDepth.get(),
  ]);
  const sum = (values: { value: number; labels: Record<string, unknown> }[], keep = (_t: unknown) => true) =>
    values.filter((v) => keep(v.labels.type)).reduce((total, v) => total + v.value, 0);
  return {
    watched: sum(received.values, (type) => type !== 'LIST'),
    received: sum(received.values),
    forwarded: sum(forwarded.values),
    buffered: sum(buffered.values),
  };
}

/**
 * Fills the preview page's {@link StatsBoard} from the three places the figures live: the function's per-batch
 * stats (notified, suppressed, retries), the WeCom client's log (each 45009 answer), and polled gauges (the
 * forwarder's counters, the DLQ depth). Messages sent are counted where they are seen: by the emulator, or from
 * the batch stats when delivering to real robots.
 */
export class StatsFeed {
  readonly board = new StatsBoard();

  constructor(
    private readonly log: LiveLog,
    private readonly countSentFromBatches: boolean,
  ) {}

  /** The handler's `metrics`: every batch updates the board and prints one line. */
  batchMetrics(): BatchMetrics {
    return {
      publish: (stats: BatchStats) => {
        this.board.increment('notified', stats.notified);
        for (const [reason, n] of Object.entries(stats.suppressed)) if (n) this.board.suppress(reason, n);
        if (stats.retries > 0) this.board.increment('retries', stats.retries);
        if (stats.slotsGranted > 0) this.board.increment('slotsGranted', stats.slotsGranted);
        if (stats.deferred > 0) this.board.increment('deferred', stats.deferred);
        if (stats.parkedSent > 0) this.board.increment('parkedSent', stats.parkedSent);
        if (this.countSentFromBatches && stats.sent > 0) this.board.increment('messagesSent', stats.sent);
        this.log.batch(stats);
      },
    };
  }

  /**
   * The function's one logger: the WeCom client's lines (they name the robot's redacted `webhook`) count
   * rate-limit answers and print as `wecom` lines; every other line goes to `handlerLog`.
   */
  functionLogger(handlerLog: Logger): Logger {
    const route =
      (level: keyof Logger) =>
      (message: string, fields?: LogFields): void => {
        if (fields?.webhook === undefined) return handlerLog[level](message, fields);
        if (level === 'warn' || level === 'error') this.reportWecom(message, fields);
      };
    return { debug: route('debug'), info: route('info'), warn: route('warn'), error: route('error') };
  }

  private reportWecom(message: string, fields: LogFields): void {
    const { errcode, outcome, webhook } = fields as { errcode?: number; outcome?: string; webhook?: string };
    if (errcode === ERRCODE_RATE_LIMITED) this.board.increment('rateLimited');
    this.log.line(
      `wecom      ${message}: errcode ${errcode ?? '-'}${outcome ? `, ${outcome}` : ''} (${webhook ?? ''})`,
    );
  }

  /** Copies polled figures onto the board. */
  update(forwarder: ForwarderFigures, dlqDepth: number): void {
    this.board.set('eventsWatched', forwarder.received);
    this.board.set('queued', forwarder.forwarded);
    this.board.set('dlqDepth', dlqDepth);
  }
}
