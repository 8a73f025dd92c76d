import type { SQSBatchResponse, SQSHandler } from 'aws-lambda';
import { processBatch } from '../pipeline/index.ts';
import type { PipelineDeps } from '../pipeline/index.ts';
import type { DeadLetterQueue } from './dead-letter-queue.ts';
import type { BatchMetrics, HandlerLogger } from './observability.ts';

/** Everything the handler needs, built once per cold start. */
export interface HandlerDeps {
  pipeline: PipelineDeps;
  /** Where dead letters go with their reason; without it they are reported as failures for the redrive policy. */
  deadLetters: DeadLetterQueue | undefined;
  logger: HandlerLogger;
  metrics: BatchMetrics;
  clock?: () => number;
  /** Time kept back from the Lambda deadline to report the batch (default 3 s). */
  safetyMarginMs?: number;
}

/**
 * The SQS handler: one batch through the pipeline, then a partial batch response. Transient failures are
 * reported in `batchItemFailures` so SQS redelivers exactly those messages; poison and permanently undeliverable
 * messages are moved to the DLQ with the reason (and, if that fails, reported as failures, so the redrive policy
 * still takes them there: nothing is dropped).
 */
export function createHandler(deps: HandlerDeps): SQSHandler {
  const clock = deps.clock ?? Date.now;
  const margin = deps.safetyMarginMs ?? 3000;
  return async (event, context): Promise<SQSBatchResponse> => {
    const now = clock();
    const deadline = now + context.getRemainingTimeInMillis() - margin;
    const records = event.Records.map((record) => ({ messageId: record.messageId, body: record.body }));
    const result = await processBatch(records, deps.pipeline, { now, deadline });
    const retry = new Set(result.retry);

    if (result.deadLetters.length > 0) {
      const bodies = new Map(event.Records.map((record) => [record.messageId, record.body]));
      for (const letter of result.deadLetters) {
        deps.logger.error('dead-lettering a queue message', {
          messageId: letter.messageId,
          reason: letter.reason,
          errcode: letter.errcode,
        });
      }
      const unsent = deps.deadLetters
        ? await deps.deadLetters.send(
            result.deadLetters.map((letter) => ({ ...letter, body: bodies.get(letter.messageId)! })),
          )
        : result.deadLetters.map((letter) => letter.messageId);
      for (const messageId of unsent) retry.add(messageId);
      if (deps.deadLetters && unsent.length > 0) {
        deps.logger.warn('could not send to the DLQ; leaving the messages to the redrive policy', {
          messageIds: unsent,
        });
      }
    }
    for (const outcome of result.outcomes) {
      if (outcome.status === 'retry') {
        deps.logger.warn('delivery failed; SQS will redeliver', {
          receiver: outcome.planned.message.receiver,
          errcode: outcome.errcode,
          reason: outcome.reason,
          attempts: outcome.attempts,
        });
      }
    }
    deps.logger.info('batch done', { ...result.stats });
    deps.metrics.publish(result.stats);
    return { batchItemFailures: [...retry].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
