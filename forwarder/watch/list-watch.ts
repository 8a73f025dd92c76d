// Longer than our ~250-line guide on purpose: listing, resuming, reconnecting with backoff and surviving any
// malformed watch line are one loop over one resourceVersion; split apart, each piece would reach into its state.
import { Backoff } from '../backoff/index.ts';
import type { BackoffOptions } from '../backoff/index.ts';
import { MalformedWatchLineError, statusOf } from '../kube/index.ts';
import type { KubeApi, WatchHandle, WatchedResource, WireObject } from '../kube/index.ts';
import { sleep, systemClock, systemTimer } from '../ports.ts';
import type { Clock, Logger, Timer } from '../ports.ts';

/** What a {@link ListWatch} reports, in stream order. */
export interface ListWatchHandler {
  /** A complete list: at start without a resume point, and after every `410 Gone`. */
  onList(items: WireObject[], resourceVersion: string): void;
  /** `raw` is the object's JSON text as the API server sent it, when available (see `KubeApi.watch`). */
  onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: WireObject, raw?: string): void;
  /** The server confirmed everything up to this resourceVersion was delivered. */
  onBookmark(resourceVersion: string): void;
}

/**
 * Why the loop restarted a watch; counted in metrics. `rejected`: the API server kept refusing the checkpoint's
 * resourceVersion (a hand-edited ConfigMap), so the loop listed again instead.
 */
export type RestartReason = 'expired' | 'rejected' | 'error' | 'closed';

/**
 * How many times in a row a watch from the checkpoint's resourceVersion may fail with an API status other than
 * `410 Gone` before that resourceVersion counts as rejected. A 4xx will not heal; a 5xx may, so not at once.
 */
export const MAX_RESUME_REFUSALS = 3;

export interface ListWatchOptions {
  kube: KubeApi;
  resource: WatchedResource;
  handler: ListWatchHandler;
  logger: Logger;
  backoff: BackoffOptions;
  /** Server-side watch timeout; the server ends quiet watches after this and we resume from the last RV. */
  watchTimeoutSeconds: number;
  /** Resume from here instead of listing first (a checkpoint). */
  resumeFrom?: string;
  listPageSize?: number;
  /** A watch open at least this long counts as healthy and resets the backoff. */
  healthyAfterMs?: number;
  onRestart?: (reason: RestartReason) => void;
  /** Times how long a watch stayed open (default: the wall clock). */
  clock?: Clock;
  /** Paces reconnects (default: Node's timers). */
  timer?: Timer;
  /** A watch line that was not a usable watch event; it is skipped or the watch reconnects, and counted here. */
  onMalformedLine?: () => void;
}

interface WatchOutcome {
  expired: boolean;
  error?: unknown;
  delivered: boolean;
  durationMs: number;
}

/**
 * List then watch one collection, forever: bookmarks requested, `410 Gone` answered by a fresh list, every other
 * failure by a reconnect from the last resourceVersion after a capped exponential backoff. It never gives up,
 * because a transient API server problem must not stop the forwarder (client-node's informer stops instead).
 */
export class ListWatch {
  private rv: string | undefined;
  /** Consecutive API refusals of the checkpoint's resourceVersion, until the server accepts it. */
  private resumeRefusals = 0;
  private resumeAccepted: boolean;
  private running = false;
  private isEstablished = false;
  private readonly abort = new AbortController();
  private current: WatchHandle | undefined;
  private loop: Promise<void> | undefined;
  private readonly clock: Clock;
  private readonly timer: Timer;

  constructor(private readonly options: ListWatchOptions) {
    this.rv = options.resumeFrom;
    this.clock = options.clock ?? systemClock;
    this.timer = options.timer ?? systemTimer;
    this.resumeAccepted = options.resumeFrom === undefined;
  }

  /** True while a watch stream is open. */
  get established(): boolean {
    return this.isEstablished;
  }

  /** The last resourceVersion seen (list, event or bookmark). */
  get resourceVersion(): string | undefined {
    return this.rv;
  }

  /** Starts the loop; resolves once the first list (if any) was delivered and a watch is established or failed. */
  start(): Promise<void> {
    this.running = true;
    return new Promise((resolve) => {
      this.loop = this.run(resolve);
    });
  }

  /** Ends the watch; no handler call happens after this resolves. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    this.current?.abort();
    await this.loop;
  }

  private async run(started: () => void): Promise<void> {
    const { logger, resource } = this.options;
    const backoff = new Backoff(this.options.backoff);
    while (this.running) {
      let outcome: WatchOutcome;
      try {
        if (this.rv === undefined) await this.list();
        outcome = await this.watchOnce(this.rv!, started);
      } catch (err) {
        outcome = { expired: statusOf(err) === 410, error: err, delivered: false, durationMs: 0 };
      }
      started();
      if (!this.running) break;
      if (outcome.error instanceof MalformedWatchLineError) {
        logger.warn({ resource, err: outcome.error.message }, 'malformed watch line; reconnecting');
        this.options.onMalformedLine?.();
      }
      if (outcome.expired) {
        logger.warn(
          { resource, resourceVersion: this.rv },
          'resourceVersion expired (410 Gone); listing again',
        );
        this.options.onRestart?.('expired');
        this.rv = undefined;
        continue;
      }
      if (this.resumeRefused(outcome.error)) {
        logger.error(
          { resource, resourceVersion: this.rv, err: String(outcome.error), attempts: this.resumeRefusals },
          "the API server refuses the checkpoint's resourceVersion (was the ConfigMap edited?); listing again, forwarding only events since the checkpoint's time",
        );
        this.options.onRestart?.('rejected');
        this.rv = undefined;
        continue;
      }
      const healthy = outcome.delivered || outcome.durationMs >= (this.options.healthyAfterMs ?? 10_000);
      if (healthy && outcome.error === undefined) backoff.reset();
      if (outcome.error !== undefined && !isTimeout(outcome.error)) {
        const delay = backoff.next();
        logger.warn({ resource, err: String(outcome.error), retryInMs: delay }, 'watch failed; reconnecting');
        this.options.onRestart?.('error');
        await sleep(this.timer, delay, this.abort.signal);
      } else {
        this.options.onRestart?.('closed');
        if (!healthy) await sleep(this.timer, backoff.next(), this.abort.signal);
      }
    }
  }

  /**
   * Whether the checkpoint's resourceVersion has now been refused often enough to give it up. Only API statuses
   * count (a network error says nothing about the resourceVersion), and only until the server accepts it.
   */
  private resumeRefused(error: unknown): boolean {
    if (this.resumeAccepted) return false;
    const status = statusOf(error);
    if (status === undefined || status === 410 || status === 429) return false;
    this.resumeRefusals++;
    if (this.resumeRefusals < MAX_RESUME_REFUSALS) return false;
    this.resumeAccepted = true;
    return true;
  }

  private async list(): Promise<void> {
    const items: WireObject[] = [];
    let page = await this.options.kube.list(this.options.resource, {
      limit: this.options.listPageSize ?? 500,
    });
    items.push(...page.items);
    const resourceVersion = page.resourceVersion;
    while (page.continue) {
      page = await this.options.kube.list(this.options.resource, {
        limit: this.options.listPageSize ?? 500,
        continue: page.continue,
      });
      items.push(...page.items);
    }
    if (!this.running) return;
    this.options.handler.onList(items, resourceVersion);
    this.rv = resourceVersion;
    this.resumeAccepted = true;
  }

  private watchOnce(resourceVersion: string, established: () => void): Promise<WatchOutcome> {
    const { handler } = this.options;
    const startedAt = this.clock.now();
    let expired = false;
    let delivered = false;
    let streamError: unknown;
    return new Promise<WatchOutcome>((resolve, reject) => {
      let finished = false;
      const done = (err: unknown) => {
        if (finished) return;
        finished = true;
        this.isEstablished = false;
        this.current = undefined;
        resolve({
          expired: expired || statusOf(err) === 410,
          error: err ?? streamError,
          delivered,
          durationMs: this.clock.now() - startedAt,
        });
      };
      const onEvent = (type: string, object: WireObject | null, raw?: string) => {
        if (!this.running || finished) return;
        if (!isWireObject(object)) {
          // The stream is still framed (the line parsed), so one bad event is skipped, not the stream; an ERROR
          // without its Status ends the watch like any ERROR does.
          if (type === 'ERROR')
            streamError = new MalformedWatchLineError('watch ERROR line without a Status');
          else {
            this.options.logger.warn(
              { resource: this.options.resource, type },
              'watch event without an object; skipped',
            );
            this.options.onMalformedLine?.();
          }
          return;
        }
        if (type === 'ERROR') {
          // The server reports an expired resourceVersion in-band, as a Status object, then ends the stream.
          const code = object.code;
          if (code === 410) expired = true;
          else streamError = new WatchStatusError(typeof code === 'number' ? code : undefined, object);
          return;
        }
        const rv = object.metadata?.resourceVersion;
        if (rv && rv !== this.rv) this.resumeAccepted = true;
        if (rv) this.rv = rv;
        if (type === 'BOOKMARK') {
          if (rv) handler.onBookmark(rv);
          return;
        }
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          delivered = true;
          handler.onEvent(type, object, raw);
          return;
        }
        this.options.logger.warn(
          { resource: this.options.resource, type: String(type) },
          'unknown watch event type; skipped',
        );
        this.options.onMalformedLine?.();
      };
      this.options.kube
        .watch(
          this.options.resource,
          { resourceVersion, timeoutSeconds: this.options.watchTimeoutSeconds },
          onEvent,
          done,
        )
        .then((handle) => {
          if (finished) return;
          this.current = handle;
          this.isEstablished = true;
          if (!this.running) handle.abort();
          established();
        }, reject);
    });
  }
}

/** An in-band watch `ERROR` other than `410 Gone`; `code` is the Status code, so `statusOf` reads it. */
class WatchStatusError extends Error {
  override name = 'WatchStatusError';
  constructor(
    readonly code: number | undefined,
    status: WireObject,
  ) {
    super(`watch error: ${JSON.stringify(status).slice(0, 500)}`);
  }
}

function isWireObject(value: unknown): value is WireObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** client-node ends a silent watch with a TimeoutError; that is a normal reconnect, not a failure. */
function isTimeout(err: unknown): boolean {
  return err instanceof Error && err.name === 'TimeoutError';
}
