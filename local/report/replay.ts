import type { EnvelopeV1 } from '../../contracts/index.ts';
import { normalizeEvent, PoisonMessageError } from '../../contracts/index.ts';
import { BudgetLedger, MemoryBudgetStore } from '../../functions/budget/index.ts';
import type { Bundle } from '../../functions/bundle/index.ts';
import { MemoryPendingStore } from '../../functions/deferral/index.ts';
import type { QueuedCopy } from '../../functions/deferral/index.ts';
import { WebhookSender } from '../../functions/lambda/index.ts';
import { processBatch } from '../../functions/pipeline/index.ts';
import type { BatchRecord, BatchResult } from '../../functions/pipeline/index.ts';
import { compileRenderer } from '../../functions/render/index.ts';
import { compileRules } from '../../functions/rules/index.ts';

/** How the deployed event source mapping batches the queue (serverless.yml, prod: batch 100, window 10 s). */
export interface MappingSettings {
  batchSize: number;
  batchingWindowMs: number;
  /** How long a record left for redelivery stays invisible (the queue's visibility timeout). */
  visibilityTimeoutMs: number;
  /** Receives after which SQS moves a record to the DLQ (`maxReceiveCount`). */
  maxReceiveCount: number;
}

export const PROD_MAPPING: MappingSettings = {
  batchSize: 100,
  batchingWindowMs: 10_000,
  visibilityTimeoutMs: 60_000,
  maxReceiveCount: 5,
};

/** One invocation of the replay: when it ran (virtual time) and what the real pipeline decided. */
export interface ReplayedBatch {
  at: number;
  result: BatchResult;
}

/** A whole replay: every invocation in order, and the inputs the function could not read. */
export interface Replay {
  batches: ReplayedBatch[];
  /** Input updates replayed (the queue also carries the copies the function re-enqueues for waiting receivers). */
  inputs: number;
  /** Queue messages that reached the DLQ (poison, or out of receives). */
  deadLettered: number;
  /** First and last input time (epoch ms). */
  span: { from: number; to: number };
}

interface QueuedMessage extends BatchRecord {
  visibleAt: number;
  receives: number;
}

/**
 * The simulated events queue, in order of visibility. Inputs arrive sorted and copies are few, so it stays one
 * sorted array read from a moving head: a day's capture replays without re-sorting per batch.
 */
class VisibilityQueue {
  private readonly items: QueuedMessage[];
  private head = 0;

  /** `sorted` must be in order of `visibleAt`. */
  constructor(sorted: QueuedMessage[]) {
    this.items = sorted;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** The `n`-th message to become visible (0 = the next), if there is one. */
  peek(n: number): QueuedMessage | undefined {
    return this.items[this.head + n];
  }

  add(message: QueuedMessage): void {
    let low = this.head;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.items[mid]!.visibleAt <= message.visibleAt) low = mid + 1;
      else high = mid;
    }
    this.items.splice(low, 0, message);
  }

  /** Up to `limit` messages visible at `time`, oldest first. */
  take(time: number, limit: number): QueuedMessage[] {
    const taken: QueuedMessage[] = [];
    while (taken.length < limit && this.size > 0 && this.peek(0)!.visibleAt <= time)
      taken.push(this.items[this.head++]!);
    return taken;
  }
}

/** Silent: a replay has no table to fail, so nothing the ports would warn about can happen. */
const QUIET = { warn() {} };

/**
 * Replays envelopes through the real pipeline (`processBatch`), on a virtual clock: the queue is simulated as the
 * deployed mapping reads it (time-ordered, up to `batchSize` records or `batchingWindowMs` after the first one),
 * and the budget, repeat windows and deferrals run on in-process stores with the table's semantics. A robot
 * "accepts" each message in the slot its budget reserved, so a report shows what WeCom would have received.
 * Invocations run one after another; the budget is shared anyway, so concurrency would change timings only.
 */
export async function replayEnvelopes(
  bundle: Bundle,
  envelopes: readonly EnvelopeV1[],
  mapping: MappingSettings = PROD_MAPPING,
): Promise<Replay> {
  let clock = 0;
  const ledger = new BudgetLedger({ store: new MemoryBudgetStore(), logger: QUIET });
  const sender = new WebhookSender({
    bundle,
    // The budget is per robot: a reference stands for its robot, since a replay has no keys to resolve.
    resolver: {
      resolve: async (ref) => ref,
      resolveAll: async (refs) => new Map(refs.map((ref) => [ref, ref])),
      resolveSecret: async (ref) => ref,
    },
    client: {
      robotOf: (url) => url,
      send: async (_url, _body, { gate, deadline }) => {
        // The first slot is the one reserved; taking it is the robot accepting the message.
        await gate?.next(clock, deadline);
        return { attempts: 1, errcode: 0, errmsg: 'ok' };
      },
    },
    ledger,
  });
  const inputs: QueuedMessage[] = envelopes
    .map((envelope, i) => ({ envelope, i, at: timeOf(envelope) }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map(({ envelope, i, at }) => ({
      messageId: `event-${i}`,
      body: JSON.stringify(envelope),
      visibleAt: at,
      receives: 0,
    }));
  const span = { from: inputs[0]?.visibleAt ?? 0, to: inputs.at(-1)?.visibleAt ?? 0 };
  const queue = new VisibilityQueue(inputs);
  let copies = 0;
  const deps = {
    engine: compileRules(bundle),
    renderer: compileRenderer(bundle, { now: () => clock }),
    sender,
    claims: ledger,
    deferral: {
      pending: new MemoryPendingStore(),
      copies: {
        enqueue: async (queued: readonly QueuedCopy[]) => {
          for (const copy of queued)
            queue.add({
              messageId: `copy-${copies++}`,
              body: copy.body,
              visibleAt: clock + copy.delaySeconds * 1000,
              receives: 0,
            });
          return [];
        },
      },
      logger: QUIET,
    },
    maxFailures: mapping.maxReceiveCount,
  };
  const batches: ReplayedBatch[] = [];
  let deadLettered = 0;
  while (queue.size > 0) {
    const first = Math.max(queue.peek(0)!.visibleAt, clock);
    const full = queue.peek(mapping.batchSize - 1)?.visibleAt;
    clock = Math.max(clock, Math.min(first + mapping.batchingWindowMs, full ?? Number.POSITIVE_INFINITY));
    const taken = queue.take(clock, mapping.batchSize);
    for (const item of taken) item.receives++;
    const result = await processBatch(taken, deps, { now: clock, deadline: clock + 60_000 });
    batches.push({ at: clock, result });
    deadLettered += result.deadLetters.length;
    const retry = new Set(result.retry);
    for (const item of taken) {
      if (!retry.has(item.messageId)) continue;
      if (item.receives >= mapping.maxReceiveCount) deadLettered++;
      else queue.add({ ...item, visibleAt: clock + mapping.visibilityTimeoutMs });
    }
  }
  return { batches, inputs: envelopes.length, deadLettered, span };
}

/**
 * When an input reached the queue: its own last-seen time (a `kubectl get events` list carries nothing else), else
 * when the forwarder observed it. An unreadable event keeps its place by `observedAt`; the pipeline dead-letters it.
 */
function timeOf(envelope: EnvelopeV1): number {
  try {
    const { lastSeen } = normalizeEvent(envelope);
    if (lastSeen !== null) return Date.parse(lastSeen);
  } catch (error) {
    if (!(error instanceof PoisonMessageError)) throw error;
  }
  return Date.parse(envelope.observedAt);
}
