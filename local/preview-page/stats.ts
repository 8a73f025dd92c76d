/** WeCom's documented limit per robot (docs/wecom.md, Rate limit), drawn as the line on the page's chart. */
export const ROBOT_LIMIT_PER_MINUTE = 20;

/** Messages each receiver got in one clock minute. */
export interface MinuteBucket {
  /** Epoch ms of the minute's start. */
  minute: number;
  /** Messages per receiver name; receivers with none are absent. */
  counts: Record<string, number>;
}

/** What the local pipeline has done so far, as the preview page and `/api/stats` show it. */
export interface LocalStats {
  /** Epoch ms when the board was created. */
  startedAt: number;
  /** Epoch ms of the last change. */
  updatedAt: number;
  /** Events the forwarder saw on its watch. */
  eventsWatched: number;
  /** Envelopes sent to the events queue. */
  queued: number;
  /** Events that the rules routed to at least one receiver. */
  notified: number;
  /** Events not delivered, by reason (e.g. `repeat`, `silence`, `no-route`). */
  suppressed: Record<string, number>;
  /** Messages WeCom accepted. */
  messagesSent: number;
  /** Answers with errcode 45009 (rate limited). */
  rateLimited: number;
  /** Delivery attempts after a retryable failure. */
  retries: number;
  /** Messages in the dead-letter queue, as last read. */
  dlqDepth: number;
  /** Send slots the shared per-robot budget (the state table) granted. */
  slotsGranted: number;
  /** (event, receiver) pairs that waited for a free slot (parked in the state table, or re-enqueued). */
  deferred: number;
  /** Parked events that a later summary carried. */
  parkedSent: number;
  /** The last `minutes` clock minutes, oldest first, including empty ones. */
  perMinute: MinuteBucket[];
  /** The per-robot limit the chart compares against. */
  limitPerMinute: number;
}

/** The plain counters of `LocalStats`. */
export type LocalCounter =
  | 'eventsWatched'
  | 'queued'
  | 'notified'
  | 'messagesSent'
  | 'rateLimited'
  | 'retries'
  | 'dlqDepth'
  | 'slotsGranted'
  | 'deferred'
  | 'parkedSent';

/** Options of `StatsBoard`. */
export interface StatsBoardOptions {
  /** Time source (default `Date.now`); share the emulator's clock so chart minutes match `receivedAt`. */
  clock?: () => number;
  /** How many minutes `perMinute` covers (default 15). */
  minutes?: number;
}

const MINUTE = 60_000;

/** The mutable counters behind `LocalStats`, filled by `npm start` and watched by the preview page. */
export class StatsBoard {
  private readonly clock: () => number;
  private readonly minutes: number;
  private readonly startedAt: number;
  private updatedAt: number;
  private readonly counters: Record<LocalCounter, number> = {
    eventsWatched: 0,
    queued: 0,
    notified: 0,
    messagesSent: 0,
    rateLimited: 0,
    retries: 0,
    dlqDepth: 0,
    slotsGranted: 0,
    deferred: 0,
    parkedSent: 0,
  };
  private readonly suppressed = new Map<string, number>();
  private readonly buckets = new Map<number, Map<string, number>>();
  private readonly listeners = new Set<() => void>();

  constructor(options: StatsBoardOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.minutes = options.minutes ?? 15;
    this.startedAt = this.clock();
    this.updatedAt = this.startedAt;
  }

  /** Adds `by` (default 1) to a counter. */
  increment(counter: LocalCounter, by = 1): void {
    this.counters[counter] += by;
    this.changed();
  }

  /** Sets a counter, for gauges such as `dlqDepth`. */
  set(counter: LocalCounter, value: number): void {
    if (this.counters[counter] === value) return;
    this.counters[counter] = value;
    this.changed();
  }

  /** Counts events not delivered for `reason`. */
  suppress(reason: string, by = 1): void {
    this.suppressed.set(reason, (this.suppressed.get(reason) ?? 0) + by);
    this.changed();
  }

  /** Counts one message WeCom accepted for `receiver` at `at` (default now): `messagesSent` and its chart minute. */
  countMessage(receiver: string, at = this.clock()): void {
    const minute = Math.floor(at / MINUTE) * MINUTE;
    let bucket = this.buckets.get(minute);
    if (!bucket) this.buckets.set(minute, (bucket = new Map()));
    bucket.set(receiver, (bucket.get(receiver) ?? 0) + 1);
    this.counters.messagesSent += 1;
    this.changed();
  }

  /** A copy of the current figures. */
  snapshot(): LocalStats {
    const now = Math.floor(this.clock() / MINUTE) * MINUTE;
    const first = now - (this.minutes - 1) * MINUTE;
    for (const minute of this.buckets.keys()) if (minute < first) this.buckets.delete(minute);
    const perMinute = Array.from({ length: this.minutes }, (_, i) => {
      const minute = first + i * MINUTE;
      return { minute, counts: Object.fromEntries(this.buckets.get(minute) ?? []) };
    });
    return {
      startedAt: this.startedAt,
      updatedAt: this.updatedAt,
      ...this.counters,
      suppressed: Object.fromEntries(this.suppressed),
      perMinute,
      limitPerMinute: ROBOT_LIMIT_PER_MINUTE,
    };
  }

  /** Calls `listener` after every change; returns a remover. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    this.updatedAt = this.clock();
    for (const listener of this.listeners) listener();
  }
}
