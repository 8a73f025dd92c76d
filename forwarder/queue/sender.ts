// Longer than our ~250-line guide on purpose: the batching, linger, retry pauses, overflow dropping and the
// in-flight accounting are one state machine over one buffer; split apart, each piece would reach into the
// others' state. The buffer itself (buffer.ts) and the wire call (sqs.ts) are separate.
import { Backoff, backoffCeiling } from '../backoff/index.ts';
import type { BackoffOptions } from '../backoff/index.ts';
import { steadyClock, systemTimer } from '../ports.ts';
import type { Cancel, Clock, Logger, Timer } from '../ports.ts';
import type { ForwarderMetrics } from '../metrics/index.ts';
import { EventBuffer } from './buffer.ts';
import type { Outbound } from './buffer.ts';
import type { QueueClient } from './sqs.ts';

/** SendMessageBatch accepts at most 10 entries. */
export const MAX_BATCH_ENTRIES = 10;
/** The classic SQS payload limit for a whole batch (and so for one message); every region accepts it. */
export const MAX_BATCH_BYTES = 256 * 1024;
const OVERFLOW_LOG_INTERVAL_MS = 60_000;

export interface SenderOptions {
  queue: QueueClient;
  metrics: ForwarderMetrics;
  logger: Logger;
  /** Buffer bounds (`--buffer-max-events`, `--buffer-max-bytes`). */
  maxEvents: number;
  maxBytes: number;
  /** How long a partial batch waits for company before it is sent. */
  lingerMs: number;
  /** Batches in flight at once. */
  concurrency: number;
  retryBackoff: BackoffOptions;
  maxBatchBytes?: number;
  /** Measures linger and retry pauses (default: monotonic time). */
  clock?: Clock;
  /** Wakes the sender when a linger or pause ends (default: Node's timers). */
  timer?: Timer;
}

/** What the caller hands over: the message body and how to report its fate. */
export interface Message {
  body: string;
  warning: boolean;
  settle: Outbound['settle'];
}

/**
 * Sends queue messages in batches of up to 10 under the byte limit, flushed when full or after a short linger.
 * Failed entries are retried with backoff; while SQS is down, messages wait in the bounded buffer, and what the
 * buffer cannot hold is dropped oldest-Normal-first, counted and logged (at most once a minute), never silently.
 */
export class SqsSender {
  private readonly buffer: EventBuffer;
  private readonly backoff: Backoff;
  private readonly maxBatchBytes: number;
  private readonly clock: Clock;
  private readonly timer: Timer;
  private inFlight = 0;
  private inFlightEvents = 0;
  private inFlightBytes = 0;
  private seq = 0;
  private pausedUntil = 0;
  private flushing = false;
  private cancelWake: Cancel | undefined;
  private wakeAtMs = Infinity;
  private reachable: boolean | undefined;
  private idleWaiters: Array<() => void> = [];
  private overflow = { pending: 0, lastLogAt: -Infinity, cancelReport: undefined as Cancel | undefined };

  constructor(private readonly options: SenderOptions) {
    this.buffer = new EventBuffer({ maxEvents: options.maxEvents, maxBytes: options.maxBytes });
    this.backoff = new Backoff(options.retryBackoff);
    this.maxBatchBytes = options.maxBatchBytes ?? MAX_BATCH_BYTES;
    this.clock = options.clock ?? steadyClock;
    this.timer = options.timer ?? systemTimer;
    options.metrics.observeBuffer(() => ({
      events: this.depth,
      bytes: this.buffer.bytes + this.inFlightBytes,
    }));
  }

  /** Whether the last SQS call succeeded (undefined before the first one). */
  get sqsReachable(): boolean | undefined {
    return this.reachable;
  }

  /** Messages buffered or in flight. */
  get depth(): number {
    return this.buffer.size + this.inFlightEvents;
  }

  /** Checks that the queue answers, for readiness before the first batch. */
  async probe(): Promise<boolean> {
    try {
      await this.options.queue.probe();
      this.reachable = true;
    } catch (err) {
      this.options.logger.warn({ err: String(err) }, 'SQS queue not reachable');
      this.reachable = false;
    }
    return this.reachable;
  }

  enqueue(message: Message): void {
    const bytes = Buffer.byteLength(message.body);
    if (bytes > this.maxBatchBytes) {
      this.options.metrics.dropped.inc({ reason: 'too_large', type: message.warning ? 'Warning' : 'Normal' });
      this.options.logger.error(
        { bytes, limit: this.maxBatchBytes },
        'event too large for an SQS message; dropped',
      );
      message.settle('dropped');
      return;
    }
    const item: Outbound = {
      body: message.body,
      warning: message.warning,
      settle: message.settle,
      seq: this.seq++,
      bytes,
      attempts: 0,
      notBefore: 0,
      enqueuedAt: this.clock.now(),
    };
    this.dropOverflow(this.buffer.push(item));
    // While a timer will pump within this item's linger anyway, only a newly filled batch needs a pump now.
    const timerCovers = this.wakeAtMs <= item.enqueuedAt + this.options.lingerMs;
    if (timerCovers && !this.flushing && this.buffer.size % MAX_BATCH_ENTRIES !== 0) return;
    this.pump();
  }

  /**
   * Sends everything buffered without waiting for the linger, and resolves when the buffer is empty or the
   * deadline passes; returns how many messages are still unsent.
   */
  async flush(timeoutMs: number): Promise<number> {
    this.flushing = true;
    this.pump();
    if (this.depth > 0) {
      let cancel: Cancel | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => (cancel = this.timer.schedule(timeoutMs, resolve))),
      ]);
      cancel?.();
    }
    return this.depth;
  }

  /** Stops timers and forgets buffered messages (leadership lost: the next leader resends from the checkpoint). */
  discard(): void {
    this.buffer.clear();
    this.cancelWake?.();
    this.overflow.cancelReport?.();
    this.reportOverflow();
    this.wakeAtMs = Infinity;
  }

  private pump(): void {
    const now = this.clock.now();
    while (this.inFlight < this.options.concurrency && now >= this.pausedUntil) {
      const ready = this.buffer.readyCount(now, MAX_BATCH_ENTRIES);
      if (ready === 0) break;
      const oldest = this.buffer.oldestReady(now) ?? now;
      if (ready < MAX_BATCH_ENTRIES && !this.flushing && now - oldest < this.options.lingerMs) {
        this.wakeAt(oldest + this.options.lingerMs);
        break;
      }
      const batch = this.buffer.take(now, MAX_BATCH_ENTRIES, this.maxBatchBytes);
      if (batch.length === 0) break;
      void this.send(batch);
    }
    if (now < this.pausedUntil && this.buffer.size > 0) this.wakeAt(this.pausedUntil);
    const retryAt = this.buffer.nextRetryAt();
    if (retryAt !== undefined && retryAt > now) this.wakeAt(retryAt);
    this.notifyIdle();
  }

  private async send(batch: Outbound[]): Promise<void> {
    const { metrics, logger } = this.options;
    const batchBytes = batch.reduce((sum, item) => sum + item.bytes, 0);
    this.inFlight++;
    this.inFlightEvents += batch.length;
    this.inFlightBytes += batchBytes;
    const retry: Outbound[] = [];
    try {
      const result = await this.options.queue.sendBatch(
        batch.map((item, i) => ({ Id: String(i), MessageBody: item.body })),
      );
      this.reachable = true;
      this.backoff.reset();
      metrics.batches.inc({ outcome: result.Failed?.length ? 'partial' : 'ok' });
      for (const ok of result.Successful ?? []) {
        metrics.forwarded.inc();
        batch[Number(ok.Id)]!.settle('sent');
      }
      for (const failed of result.Failed ?? []) {
        const item = batch[Number(failed.Id)]!;
        if (failed.SenderFault) {
          // SQS refuses this message itself (e.g. invalid characters); retrying cannot help.
          metrics.dropped.inc({ reason: 'rejected', type: item.warning ? 'Warning' : 'Normal' });
          logger.error({ code: failed.Code, message: failed.Message }, 'SQS rejected a message; dropped');
          item.settle('dropped');
        } else {
          retry.push(item);
          metrics.retries.inc({ cause: 'entry' });
        }
      }
    } catch (err) {
      this.reachable = false;
      metrics.batches.inc({ outcome: 'error' });
      metrics.retries.inc({ cause: 'call' }, batch.length);
      const delay = this.backoff.next();
      this.pausedUntil = this.clock.now() + delay;
      logger.warn(
        { err: String(err), events: batch.length, retryInMs: delay },
        'SendMessageBatch failed; will retry',
      );
      retry.push(...batch);
    } finally {
      this.inFlight--;
      this.inFlightEvents -= batch.length;
      this.inFlightBytes -= batchBytes;
    }
    if (retry.length > 0) {
      const now = this.clock.now();
      for (const item of retry) {
        item.attempts++;
        item.notBefore = Math.max(
          this.pausedUntil,
          now + backoffCeiling(this.options.retryBackoff, item.attempts - 1),
        );
      }
      this.dropOverflow(this.buffer.requeue(retry));
    }
    this.pump();
  }

  private wakeAt(at: number): void {
    if (at >= this.wakeAtMs) return;
    this.cancelWake?.();
    this.wakeAtMs = at;
    this.cancelWake = this.timer.schedule(Math.max(0, at - this.clock.now()), () => {
      this.wakeAtMs = Infinity;
      this.pump();
    });
  }

  private notifyIdle(): void {
    if (this.depth > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private dropOverflow(items: Outbound[]): void {
    for (const item of items) {
      this.options.metrics.dropped.inc({ reason: 'overflow', type: item.warning ? 'Warning' : 'Normal' });
      item.settle('dropped');
      this.overflow.pending++;
    }
    if (items.length === 0) return;
    const sinceLog = this.clock.now() - this.overflow.lastLogAt;
    if (sinceLog >= OVERFLOW_LOG_INTERVAL_MS) this.reportOverflow();
    else if (!this.overflow.cancelReport) {
      this.overflow.cancelReport = this.timer.schedule(
        OVERFLOW_LOG_INTERVAL_MS - sinceLog,
        () => this.reportOverflow(),
        { background: true },
      );
    }
  }

  private reportOverflow(): void {
    this.overflow.cancelReport = undefined;
    if (this.overflow.pending === 0) return;
    this.options.logger.error(
      {
        dropped: this.overflow.pending,
        bufferMaxEvents: this.options.maxEvents,
        bufferMaxBytes: this.options.maxBytes,
      },
      'event buffer full while SQS is slow or unavailable; dropped the oldest Normal events first',
    );
    this.overflow.pending = 0;
    this.overflow.lastLogAt = this.clock.now();
  }
}
