import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSHandler } from 'aws-lambda';
import { createLambdaContext } from './lambda-context.ts';
import { toSqsRecord, type RecordSource } from './sqs-record.ts';

/** How the local poller reads the queue and invokes the handler; the defaults are Lambda's. */
export interface EventSourceMappingOptions {
  /** A client with an explicit `endpoint` (emulators hand out queue URLs whose host does not resolve). */
  sqs: SQSClient;
  queueUrl: string;
  handler: SQSHandler;
  /**
   * Builds one handler per concurrent invocation, as separate Lambda containers each run their own cold start
   * (their own caches and clients); default: every invocation shares `handler`, as one process would.
   */
  handlerPerContainer?: () => SQSHandler;
  /** Most records per invocation (Lambda: 1–10,000; default 10). */
  batchSize?: number;
  /** Keep receiving for up to this long after the first message, until `batchSize` is reached (default 0). */
  maximumBatchingWindowSeconds?: number;
  /** Visibility timeout of received messages; default: the queue's own. */
  visibilityTimeoutSeconds?: number;
  /** The function timeout: the handler's deadline, after which the whole batch counts as failed (default 30). */
  functionTimeoutSeconds?: number;
  /** Batches in flight at once (Lambda's maximum concurrency; default 1). */
  maximumConcurrency?: number;
  functionName?: string;
  memoryLimitInMB?: number;
  /** Long-poll wait while the queue is empty (default 20, the SQS maximum). */
  idleWaitSeconds?: number;
  /** Milliseconds since the epoch, for the batching window and `getRemainingTimeInMillis()`. */
  now?: () => number;
  /** Called after every invocation with what was deleted and what was left for redelivery. */
  onBatch?: (outcome: BatchOutcome) => void;
  /** Receive and delete errors; the poller keeps going. Default: `console.error`. */
  onError?: (error: unknown) => void;
}

/** The result of one invocation. */
export interface BatchOutcome {
  /** Every message id of the batch, in record order. */
  messageIds: string[];
  /** Deleted from the queue: the batch minus the reported failures. */
  deleted: string[];
  /** Left on the queue to reappear after the visibility timeout (and reach the DLQ after maxReceiveCount). */
  failed: string[];
  /** Why the whole batch failed: the handler threw, timed out, or reported an id that is not in the batch. */
  error?: unknown;
}

/** The function did not settle within its timeout; Lambda would have stopped it. */
export class InvocationTimeoutError extends Error {
  override name = 'InvocationTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`);
  }
}

/** The handler's response breaks the partial batch response contract, so Lambda fails the whole batch. */
export class InvalidBatchResponseError extends Error {
  override name = 'InvalidBatchResponseError';
}

const SQS_MAX_RECEIVE = 10;
const SQS_MAX_WAIT_SECONDS = 20;
const RECEIVE_ERROR_BACKOFF_MS = 1000;
// Between short polls in the last part-second of a batching window, so an empty queue is not polled in a tight loop.
const SHORT_POLL_PAUSE_MS = 50;

/**
 * A local stand-in for Lambda's SQS event source mapping with `ReportBatchItemFailures`: it assembles batches
 * (batch size, batching window), invokes the handler with real `SQSEvent` records and a `Context`, deletes only
 * the messages that did not fail, and leaves the failures to SQS's visibility timeout and redrive policy.
 *
 * @example
 * const mapping = new EventSourceMapping({ sqs, queueUrl, handler, batchSize: 100, maximumBatchingWindowSeconds: 5 });
 * await mapping.start();
 * // …
 * await mapping.stop();
 */
export class EventSourceMapping {
  private readonly options: Required<
    Omit<EventSourceMappingOptions, 'visibilityTimeoutSeconds' | 'onBatch' | 'handlerPerContainer'>
  > &
    Pick<EventSourceMappingOptions, 'visibilityTimeoutSeconds' | 'onBatch' | 'handlerPerContainer'>;
  private readonly abort = new AbortController();
  private pollers: Promise<void>[] = [];
  private source: RecordSource | undefined;

  constructor(options: EventSourceMappingOptions) {
    this.options = {
      batchSize: 10,
      maximumBatchingWindowSeconds: 0,
      functionTimeoutSeconds: 30,
      maximumConcurrency: 1,
      functionName: 'kube-wecom-local-events',
      memoryLimitInMB: 512,
      idleWaitSeconds: SQS_MAX_WAIT_SECONDS,
      now: Date.now,
      onError: (error) => console.error('event source mapping:', error),
      ...options,
    };
    const { batchSize, maximumBatchingWindowSeconds, maximumConcurrency } = this.options;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
      throw new RangeError(`batchSize must be an integer from 1 to 10000, got ${batchSize}`);
    }
    if (maximumBatchingWindowSeconds < 0 || maximumBatchingWindowSeconds > 300) {
      throw new RangeError(
        `maximumBatchingWindowSeconds must be from 0 to 300, got ${maximumBatchingWindowSeconds}`,
      );
    }
    if (!Number.isInteger(maximumConcurrency) || maximumConcurrency < 1) {
      throw new RangeError(`maximumConcurrency must be a positive integer, got ${maximumConcurrency}`);
    }
  }

  /** Resolves the queue ARN and region (stamped on every record), then starts polling. */
  async start(): Promise<void> {
    if (this.source) throw new Error('the event source mapping is already started');
    const { sqs, queueUrl, maximumConcurrency } = this.options;
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    const eventSourceARN = attributes.Attributes?.QueueArn;
    if (!eventSourceARN) throw new Error(`${queueUrl} has no QueueArn attribute`);
    this.source = { eventSourceARN, awsRegion: await sqs.config.region() };
    this.pollers = Array.from({ length: maximumConcurrency }, () => this.poll());
  }

  /** Stops receiving; batches already received are still handled and settled before this resolves. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.pollers);
  }

  private get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  private async poll(): Promise<void> {
    const handler = this.options.handlerPerContainer?.() ?? this.options.handler;
    while (!this.stopping) {
      let messages: Message[];
      try {
        messages = await this.receiveBatch();
      } catch (error) {
        if (this.stopping) return;
        this.options.onError(error);
        await sleep(RECEIVE_ERROR_BACKOFF_MS, undefined, { signal: this.abort.signal }).catch(
          () => undefined,
        );
        continue;
      }
      if (messages.length > 0) await this.invoke(messages, handler);
    }
  }

  /**
   * Long-polls until a first message arrives, then keeps receiving until the batch is full or the batching
   * window has passed, as Lambda does. Keyed by message id: a message whose visibility expired inside the window
   * comes back with a new receipt handle, and only the newest handle can delete it.
   */
  private async receiveBatch(): Promise<Message[]> {
    const {
      sqs,
      queueUrl,
      batchSize,
      maximumBatchingWindowSeconds,
      visibilityTimeoutSeconds,
      idleWaitSeconds,
      now,
    } = this.options;
    const batch = new Map<string, Message>();
    let windowEnd: number | undefined;
    while (batch.size < batchSize) {
      const remainingMs = windowEnd === undefined ? idleWaitSeconds * 1000 : windowEnd - now();
      if (remainingMs <= 0 || (this.stopping && batch.size > 0)) break;
      // Long polls wait whole seconds: rounding a part-second window up would overrun it by up to a second, long
      // enough for a short visibility timeout to bring a message back inside its own batch.
      const waitSeconds = Math.min(SQS_MAX_WAIT_SECONDS, Math.floor(remainingMs / 1000));
      const received = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(SQS_MAX_RECEIVE, batchSize - batch.size),
          WaitTimeSeconds: waitSeconds,
          VisibilityTimeout: visibilityTimeoutSeconds,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        // Abort only an idle long poll: a receive that returns messages must complete, or they stay invisible.
        batch.size === 0 ? { abortSignal: this.abort.signal } : {},
      );
      for (const message of received.Messages ?? []) batch.set(message.MessageId ?? '', message);
      if (waitSeconds === 0 && (received.Messages ?? []).length === 0) {
        await sleep(Math.min(SHORT_POLL_PAUSE_MS, Math.max(0, remainingMs)));
      }
      if (batch.size === 0) {
        if (this.stopping) break;
        continue;
      }
      if (maximumBatchingWindowSeconds === 0) break;
      windowEnd ??= now() + maximumBatchingWindowSeconds * 1000;
    }
    return [...batch.values()];
  }

  private async invoke(messages: Message[], handler: SQSHandler): Promise<void> {
    const { functionTimeoutSeconds, functionName, memoryLimitInMB, now } = this.options;
    const source = this.source!;
    const records = messages.map((m) => toSqsRecord(m, source));
    const messageIds = records.map((r) => r.messageId);
    const timeoutMs = functionTimeoutSeconds * 1000;
    const context = createLambdaContext({
      functionName,
      awsRegion: source.awsRegion,
      memoryLimitInMB,
      timeoutMs,
      now,
    });

    let failed: string[];
    let error: unknown;
    try {
      const response = await invokeWithTimeout(handler, { Records: records }, context, timeoutMs);
      failed = reportedFailures(response, new Set(messageIds));
    } catch (err) {
      error = err;
      failed = messageIds;
    }
    const failedIds = new Set(failed);
    const successes = records.filter((r) => !failedIds.has(r.messageId));
    await this.delete(successes.map((r) => ({ id: r.messageId, receiptHandle: r.receiptHandle })));
    const outcome: BatchOutcome = { messageIds, deleted: successes.map((r) => r.messageId), failed };
    if (error !== undefined) outcome.error = error;
    this.options.onBatch?.(outcome);
  }

  private async delete(entries: { id: string; receiptHandle: string }[]): Promise<void> {
    const { sqs, queueUrl, onError } = this.options;
    for (let start = 0; start < entries.length; start += SQS_MAX_RECEIVE) {
      const chunk = entries.slice(start, start + SQS_MAX_RECEIVE);
      try {
        const result = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((e, i) => ({ Id: String(i), ReceiptHandle: e.receiptHandle })),
          }),
        );
        for (const failure of result.Failed ?? []) {
          const entry = chunk[Number(failure.Id)];
          onError(
            new Error(`could not delete message ${entry?.id}: ${failure.Code} ${failure.Message ?? ''}`),
          );
        }
      } catch (error) {
        onError(error);
      }
    }
  }
}

/** Calls the handler the way the Node.js runtime does: a returned promise or the callback settles it. */
function invokeWithTimeout(
  handler: SQSHandler,
  event: SQSEvent,
  context: Context,
  timeoutMs: number,
): Promise<SQSBatchResponse | void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new InvocationTimeoutError(timeoutMs)), timeoutMs);
    const settle =
      <T>(fn: (value: T) => void) =>
      (value: T) => {
        clearTimeout(timer);
        fn(value);
      };
    try {
      const returned = handler(event, context, (err, result) =>
        err ? settle(reject)(err) : settle(resolve)(result),
      );
      if (returned) returned.then(settle(resolve), settle(reject));
    } catch (err) {
      settle(reject)(err);
    }
  });
}

/**
 * The message ids to leave on the queue. Lambda's rules: no response or no `batchItemFailures` means the whole
 * batch succeeded; an empty, missing or unknown `itemIdentifier` (or a response that is not an object) fails
 * the whole batch.
 */
function reportedFailures(response: unknown, messageIds: Set<string>): string[] {
  if (response === undefined || response === null) return [];
  if (typeof response !== 'object')
    throw new InvalidBatchResponseError(`unexpected response ${JSON.stringify(response)}`);
  const failures = (response as Partial<SQSBatchResponse>).batchItemFailures;
  if (failures === undefined || failures === null) return [];
  if (!Array.isArray(failures)) throw new InvalidBatchResponseError('batchItemFailures is not an array');
  return failures.map((failure: unknown) => {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !messageIds.has(id)) {
      throw new InvalidBatchResponseError(
        `batchItemFailures names ${JSON.stringify(id)}, which is not in the batch`,
      );
    }
    return id;
  });
}
