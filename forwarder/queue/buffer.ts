import { Fifo } from './fifo.ts';

/** One queue message waiting for SQS. */
export interface Outbound {
  /** Arrival order, so batches go out oldest first. */
  seq: number;
  body: string;
  bytes: number;
  /** Warnings outlive Normal events when the buffer overflows. */
  warning: boolean;
  attempts: number;
  /** Not sent again before this time (the sender clock's ms), after a failed attempt. */
  notBefore: number;
  enqueuedAt: number;
  /** Called exactly once: `sent` when SQS acknowledged it, `dropped` when it was given up. */
  settle(outcome: 'sent' | 'dropped'): void;
}

/** How much the buffer may hold: a count, and the bodies' bytes (events can be large, the heap is bounded). */
export interface BufferLimits {
  maxEvents: number;
  maxBytes: number;
}

/**
 * The bounded buffer in front of SQS. When full, the oldest Normal event makes room, then the oldest Warning:
 * a Warning is what someone gets paged for. The caller counts and logs what `push` evicts.
 */
export class EventBuffer {
  private readonly normal = new Fifo<Outbound>();
  private readonly warning = new Fifo<Outbound>();
  private retry: Outbound[] = [];
  private heldBytes = 0;

  constructor(private readonly limits: BufferLimits) {}

  get size(): number {
    return this.normal.length + this.warning.length + this.retry.length;
  }

  /** The bytes of the bodies held. */
  get bytes(): number {
    return this.heldBytes;
  }

  /** Adds an item; returns the items dropped to make room (possibly `item` itself, a Normal among Warnings). */
  push(item: Outbound): Outbound[] {
    const evicted: Outbound[] = [];
    while (this.size > 0 && this.exceeds(1, item.bytes)) {
      if (!item.warning && this.normal.length === 0) return [...evicted, item];
      evicted.push(this.evict()!);
    }
    (item.warning ? this.warning : this.normal).push(item);
    this.heldBytes += item.bytes;
    return evicted;
  }

  /** Puts items back after a failed attempt; they are eligible again from their `notBefore`. */
  requeue(items: Outbound[]): Outbound[] {
    this.retry.push(...items);
    this.retry.sort((a, b) => a.seq - b.seq);
    for (const item of items) this.heldBytes += item.bytes;
    const evicted: Outbound[] = [];
    while (this.size > 0 && this.exceeds(0, 0)) evicted.push(this.evict()!);
    return evicted;
  }

  /** Arrival time of the oldest item that could be sent now, or undefined when none can. */
  oldestReady(now: number): number | undefined {
    const retry = this.retry.find((i) => i.notBefore <= now);
    const candidates = [
      retry?.enqueuedAt,
      this.normal.peek()?.enqueuedAt,
      this.warning.peek()?.enqueuedAt,
    ].filter((t): t is number => t !== undefined);
    return candidates.length > 0 ? Math.min(...candidates) : undefined;
  }

  /** Number of items that could be sent now (capped at `cap`, it only decides whether a batch is full). */
  readyCount(now: number, cap: number): number {
    let n = this.normal.length + this.warning.length;
    for (const item of this.retry) {
      if (n >= cap) break;
      if (item.notBefore <= now) n++;
    }
    return Math.min(n, cap);
  }

  /** The earliest `notBefore` among items waiting to be retried. */
  nextRetryAt(): number | undefined {
    return this.retry.length > 0 ? Math.min(...this.retry.map((i) => i.notBefore)) : undefined;
  }

  /** Takes the next batch: retries first, then new items oldest first, within the entry and byte limits. */
  take(now: number, maxEntries: number, maxBytes: number): Outbound[] {
    const batch: Outbound[] = [];
    let bytes = 0;
    const fits = (item: Outbound) => batch.length < maxEntries && bytes + item.bytes <= maxBytes;
    const kept: Outbound[] = [];
    for (const item of this.retry) {
      if (item.notBefore <= now && fits(item)) {
        batch.push(item);
        bytes += item.bytes;
      } else kept.push(item);
    }
    this.retry = kept;
    for (;;) {
      const n = this.normal.peek();
      const w = this.warning.peek();
      const next = n && (!w || n.seq < w.seq) ? this.normal : w ? this.warning : undefined;
      if (!next || !fits(next.peek()!)) break;
      const item = next.shift()!;
      batch.push(item);
      bytes += item.bytes;
    }
    this.heldBytes -= bytes;
    return batch;
  }

  /** Empties the buffer without settling anything (leadership lost: the next leader resends from the checkpoint). */
  clear(): void {
    while (this.normal.shift());
    while (this.warning.shift());
    this.retry = [];
    this.heldBytes = 0;
  }

  /** Whether holding `events` more events of `bytes` more bytes would pass a limit. */
  private exceeds(events: number, bytes: number): boolean {
    return this.size + events > this.limits.maxEvents || this.heldBytes + bytes > this.limits.maxBytes;
  }

  private evict(): Outbound | undefined {
    const item = this.normal.shift() ?? this.warning.shift() ?? this.retry.shift();
    if (item) this.heldBytes -= item.bytes;
    return item;
  }
}
